/// An opened API key that refuses to print itself.
///
/// `description`, `debugDescription` and reflection (`dump`, string
/// interpolation, `print`) all show `<redacted>`, so the plaintext cannot land
/// in a log by accident. Reading it takes an explicit ``exposedValue`` or
/// ``withPlaintext(_:)``, which stands out in review. Not `Codable` on purpose.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let plaintext: String

    public init(_ plaintext: String) {
        self.plaintext = plaintext
    }

    /// The plaintext. Use only where the key leaves the process (an outgoing request).
    public var exposedValue: String { plaintext }

    /// Lends the plaintext to `body` without storing it elsewhere.
    public func withPlaintext<Result, Failure: Error>(
        _ body: (String) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(plaintext)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
