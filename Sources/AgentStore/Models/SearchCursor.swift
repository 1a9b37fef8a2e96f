import Foundation

/// Where a page of search results ends: the last hit's keyset `(rank, kind, agent, id)` and the
/// fingerprint of the search it belongs to.
///
/// Opaque to clients, as a token (``CursorToken``); a cursor of another search is refused, as it would
/// otherwise silently skip or repeat results.
public struct SearchCursor: Sendable, Equatable {
    let fingerprint: String
    let rank: Float
    let kind: SearchHit.Kind
    let agentID: String
    /// The message's id, or the conversation's for a hit of kind `conversation`.
    let itemID: String

    init(fingerprint: String, rank: Float, kind: SearchHit.Kind, agentID: String, itemID: String) {
        self.fingerprint = fingerprint
        self.rank = rank
        self.kind = kind
        self.agentID = agentID
        self.itemID = itemID
    }

    /// The JSON inside a token; the rank as its bit pattern, so that the keyset compares the exact value.
    private struct Token: Codable {
        let f: String
        let r: UInt32
        let k: SearchHit.Kind
        let a: String
        let i: String
    }

    /// The longest token a cursor may be (the longest one the platform writes is far shorter).
    public static let maximumTokenLength = CursorToken.maximumLength

    /// The cursor a token spells; nil for anything that is not a token of this version.
    public init?(token: String) {
        guard let decoded = CursorToken.decode(token, as: Token.self) else { return nil }
        let rank = Float(bitPattern: decoded.r)
        guard rank.isFinite, decoded.f.utf8.count == 16, AgentID(rawValue: decoded.a) != nil,
            MessageID(rawValue: decoded.i) != nil
        else { return nil }
        self.init(fingerprint: decoded.f, rank: rank, kind: decoded.k, agentID: decoded.a, itemID: decoded.i)
    }

    /// The cursor as a token for a query string: unpadded base64url.
    public var token: String {
        CursorToken.encode(Token(f: fingerprint, r: rank.bitPattern, k: kind, a: agentID, i: itemID))
    }
}
