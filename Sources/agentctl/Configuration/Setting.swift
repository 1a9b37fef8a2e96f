import Configuration

/// One platform setting: the environment variable that sets it, its key in a configuration file, and
/// whether its value is secret (never printed, logged or echoed in an error).
struct Setting: Sendable, Hashable, CustomStringConvertible {
    /// The environment variable, e.g. `API_PORT`; also the name errors and `config check` use.
    let variable: String
    /// The key's components, e.g. `["api", "port"]`: `api.port` in a file. swift-configuration's
    /// environment provider turns them into `variable` (camelCase words split by `_`).
    let components: [String]
    let isSecret: Bool

    init(_ variable: String, _ components: [String], secret: Bool = false) {
        self.variable = variable
        self.components = components
        self.isSecret = secret
    }

    /// The dotted key a JSON configuration file uses, e.g. `api.port` for `{"api": {"port": 8080}}`.
    var fileKey: String { components.joined(separator: ".") }

    var configKey: ConfigKey { ConfigKey(components) }

    var description: String { variable }
}
