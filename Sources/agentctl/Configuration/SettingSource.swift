/// Where a setting's effective value came from.
enum SettingSource: String, Sendable, Hashable, CustomStringConvertible {
    /// Not set anywhere: the platform's default.
    case `default`
    /// An environment variable, which wins over the file.
    case environment
    /// The JSON configuration file.
    case file

    var description: String { rawValue }
}
