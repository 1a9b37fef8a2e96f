import AgentStore
import HTTPTypes
import Hummingbird

extension IdempotencyKey {
    /// The request header that carries a key (as Stripe's API and the IETF draft name it).
    static let header = HTTPField.Name("Idempotency-Key")!
    /// The response header that says an answer is an earlier request's exchange, found again.
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    /// The key `request` carries; nil without one. A key that is not 1 to 255 visible ASCII characters, or
    /// that is sent twice, is a 400.
    init?(of request: Request) throws {
        let values = request.headers[values: Self.header]
        guard let raw = values.first else { return nil }
        guard values.count == 1, let key = IdempotencyKey(rawValue: raw) else {
            throw Problem.badParameter(
                Self.header.rawName,
                "must be sent once, as 1 to \(Self.maximumLength) visible ASCII characters (no spaces)")
        }
        self = key
    }
}
