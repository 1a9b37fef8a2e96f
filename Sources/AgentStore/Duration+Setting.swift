extension Duration {
    /// Whole milliseconds, as PostgreSQL's time settings (`lock_timeout`, `statement_timeout`) read a bare
    /// number; at least 1, since 0 turns a timeout off.
    var settingMilliseconds: String {
        let (seconds, attoseconds) = components
        return String(max(1, seconds * 1_000 + attoseconds / 1_000_000_000_000_000))
    }
}
