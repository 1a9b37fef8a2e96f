/// Why the platform's configuration cannot be used: every invalid setting, each named by its variable
/// (and its file key when it came from the configuration file), never with its value.
struct PlatformConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One invalid setting.
    struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The setting's variable, e.g. `API_PORT`, or `AGENT_PLATFORM_CONFIG` for the file itself.
        let setting: String
        /// A sentence naming the setting and what is wrong, e.g. `API_PORT must be an integer`.
        let message: String

        var description: String { message }
    }

    let problems: [Problem]

    /// The settings at fault, in the order they were read.
    var settings: [String] { problems.map(\.setting) }

    /// One problem a line, so that several read as a list after ArgumentParser's `Error: `.
    var description: String { problems.map(\.message).joined(separator: "\n") }
}
