/// Raised by ``buildRouter(store:replies:configuration:companions:registry:logger:)`` when an ``APIConfiguration`` that
/// skipped the platform's validation cannot be used (a JWKS that does not parse); names the setting,
/// never its value. The platform reports invalid settings earlier, in its configuration check.
public struct APIConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable) \(reason)" }
}
