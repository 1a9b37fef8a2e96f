/// The key a client sends with a request that stores a message (`Idempotency-Key`), so that a retry of
/// that request finds the exchange it started instead of storing the message again. Unique per tenant
/// for as long as the message exists.
public struct IdempotencyKey: RawRepresentable, Hashable, Sendable {
    public let rawValue: String

    /// The most bytes a key may have.
    public static let maximumLength = 255

    /// A key of 1 to 255 visible ASCII characters (no spaces), as HTTP header values carry them whole;
    /// nil for any other text.
    public init?(rawValue: String) {
        let bytes = rawValue.utf8
        guard (1...Self.maximumLength).contains(bytes.count), bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return nil
        }
        self.rawValue = rawValue
    }
}

/// How a request that carries an idempotency key began its exchange.
public enum ReplyBeginning: Sendable {
    /// The message was stored now, or an earlier request stored it and its reply failed: a reply starts.
    case started(ReplyStart)
    /// An earlier request with the key stored the message: `reply` is its latest reply, which did not fail
    /// (it may still be streaming).
    case earlier(prompt: Message, reply: Message)
}
