import Foundation

/// The environment the PostgreSQL programs get: an allowlist, never a copy of ours.
///
/// Ours may hold the platform's secrets (`ENCRYPTION_KEY`, `JWT_HS256_SECRET`, `DATABASE_URL`...),
/// which the server has no use for and would expose in `/proc/<pid>/environ` to its account; and
/// libpq's `PG*` variables would override our settings (the server takes its port from `PGPORT`).
enum ChildEnvironment {
    /// Variables passed through by name: where programs are, and how to format text and times.
    static let passedNames: Set<String> = ["PATH", "LANG", "LANGUAGE", "TZ", "HOME"]
    /// Used when we have no `PATH` ourselves.
    static let defaultPath = "/usr/local/bin:/usr/bin:/bin"

    /// The allowlisted part of `parent`; as `account`, its own `HOME`, `USER` and `LOGNAME`, as `su` sets them.
    static func variables(
        for account: ServerAccount?, parent: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var variables: [String: String] = parent.filter { name, _ in
            passedNames.contains(name) || name.hasPrefix("LC_")
        }
        if variables["PATH"] == nil { variables["PATH"] = defaultPath }
        if let account {
            variables["HOME"] = account.home
            variables["USER"] = account.name
            variables["LOGNAME"] = account.name
        }
        return variables
    }
}
