/// A configuration variable with an unusable value; names the variable, never its value.
public struct APIConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable) \(reason)" }
}
