import PostgresNIO

/// What instances of the platform tell each other so that a client of one follows, live, a reply that
/// another generates: the follower's instance asks for it, and the generating instance relays its text.
///
/// Like a cancel of a reply, each notice goes through PostgreSQL (`NOTIFY`), which every instance's
/// listener hears (``AgentStore/receiveReplyCancels(maximumBackoff:aliveCheck:aliveTimeout:listening:relayed:_:)``).
/// A notice may be lost while a listener reconnects: the text carries its offset, so a follower sees a gap
/// and asks again, and the reply's stored end stays the authority on how it ended.
public enum ReplyRelay: Sendable, Hashable {
    /// A client follows the tenant's reply `messageID` through another instance: the instance that runs
    /// it relays its text, from the start.
    case follow(TenantReply)
    /// A piece of the text of reply `messageID`, which starts `offset` UTF-8 bytes into the reply's text.
    case text(MessageID, offset: Int, String)
    /// Reply `messageID` has ended: its end is stored, or being stored.
    case ended(MessageID)

    /// The channel: an identifier of the platform's own, since `LISTEN` takes no parameter.
    static let channel = "agent_platform_reply_relay"

    /// The most text one notice carries, in UTF-8 bytes: PostgreSQL takes a payload of under 8,000 bytes.
    public static let maximumTextBytes = 7_000

    /// `follow tenant message`, `text offset message` then a line feed and the text, or `end message`: an
    /// id holds no control character, so a line feed ends it.
    var payload: String {
        switch self {
        case .follow(let reply): "follow \(reply.payload)"
        case .text(let messageID, let offset, let text): "text \(offset) \(messageID.rawValue)\n\(text)"
        case .ended(let messageID): "end \(messageID.rawValue)"
        }
    }

    init?(payload: String) {
        guard let space = payload.firstIndex(of: " ") else { return nil }
        let rest = String(payload[payload.index(after: space)...])
        switch payload[..<space] {
        case "follow":
            guard let reply = TenantReply(payload: rest) else { return nil }
            self = .follow(reply)
        case "text":
            guard let space = rest.firstIndex(of: " "), let offset = Int(rest[..<space]), offset >= 0,
                let newline = rest.firstIndex(of: "\n"), newline > space,
                let messageID = MessageID(rawValue: String(rest[rest.index(after: space)..<newline]))
            else { return nil }
            self = .text(messageID, offset: offset, String(rest[rest.index(after: newline)...]))
        case "end":
            guard let messageID = MessageID(rawValue: rest) else { return nil }
            self = .ended(messageID)
        default:
            return nil
        }
    }

    /// `text` from `offset` as notices that each fit a payload, split between Unicode scalars; one empty
    /// notice for an empty text, which tells followers that the relay has started.
    public static func pieces(of text: Substring, from offset: Int, of messageID: MessageID) -> [ReplyRelay] {
        var pieces: [ReplyRelay] = []
        var start = text.startIndex
        var at = offset
        repeat {
            var end = start
            var bytes = 0
            while end < text.endIndex {
                let scalarBytes = text.unicodeScalars[end].utf8.count
                guard bytes + scalarBytes <= maximumTextBytes else { break }
                bytes += scalarBytes
                end = text.unicodeScalars.index(after: end)
            }
            pieces.append(.text(messageID, offset: at, String(text[start..<end])))
            at += bytes
            start = end
        } while start < text.endIndex
        return pieces
    }
}

extension TenantSession {
    /// Asks the instance that runs the tenant's reply `messageID` to relay its text, when this transaction
    /// commits.
    public func publishFollow(of messageID: MessageID) async throws {
        let notice = ReplyRelay.follow(TenantReply(tenant: userID, messageID: messageID))
        try await execute("SELECT pg_notify(\(ReplyRelay.channel), \(notice.payload))")
    }
}

extension AgentStore {
    /// Publishes a relayed piece of text, or a reply's end, to every instance: one statement, outside any
    /// tenant's transaction (the notice names a message only, and its instance checked the follower's
    /// tenant before asking for it).
    public func publishRelay(_ notice: ReplyRelay) async throws {
        _ = try await alone("SELECT pg_notify(\(ReplyRelay.channel), \(notice.payload))") { _ in () }
    }
}
