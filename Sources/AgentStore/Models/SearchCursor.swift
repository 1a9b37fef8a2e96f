import Foundation

/// Where a page of search results ends: the last hit's keyset `(rank, kind, agent, id)` and the
/// fingerprint of the search it belongs to.
///
/// Opaque to clients, as a token (base64url of JSON). Nothing in it is secret, and a cursor edited by
/// hand can only move within the tenant's own results; a cursor of another search is refused, as it
/// would otherwise silently skip or repeat results.
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
    public static let maximumTokenLength = 2_048

    /// The cursor a token spells; nil for anything that is not a token of this version.
    public init?(token: String) {
        guard token.utf8.count <= Self.maximumTokenLength else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let decoded = try? JSONDecoder().decode(Token.self, from: data)
        else { return nil }
        let rank = Float(bitPattern: decoded.r)
        guard rank.isFinite, decoded.f.utf8.count == 16, AgentID(rawValue: decoded.a) != nil,
            MessageID(rawValue: decoded.i) != nil
        else { return nil }
        self.init(fingerprint: decoded.f, rank: rank, kind: decoded.k, agentID: decoded.a, itemID: decoded.i)
    }

    /// The cursor as a token for a query string: unpadded base64url.
    public var token: String {
        let token = Token(f: fingerprint, r: rank.bitPattern, k: kind, a: agentID, i: itemID)
        // Encoding a struct of strings and an integer cannot fail.
        let data = (try? JSONEncoder().encode(token)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
