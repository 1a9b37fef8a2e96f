import Foundation
import PostgresNIO

// MARK: Reading messages

extension TenantSession {
    /// The columns a ``Message`` is read from, in the order ``message(from:)`` decodes them, each prefixed
    /// with `alias.` when one is given.
    static func messageColumns(_ alias: String? = nil) -> String {
        let prefix = alias.map { "\($0)." } ?? ""
        return [
            "id", "agent_id", "conversation_id", "user_id", "role", "content", "metadata::text", "created_at",
            "parent_id", "status", "model", "connection_id", "prompt_tokens", "completion_tokens", "usage_estimated",
            "latency_ms", "time_to_first_token_ms", "finish_reason", "error", "root",
        ].map { prefix + $0 }.joined(separator: ", ")
    }

    /// The number of columns of ``messageColumns(_:)``.
    static let messageColumnCount = 20

    static func message(from row: PostgresRow) throws -> Message {
        try message(from: row.makeRandomAccess(), at: 0)
    }

    /// The message in the columns of `row` that start at `offset`; nil when its id column is null (an
    /// outer join that found none).
    static func optionalMessage(from row: PostgresRandomAccessRow, at offset: Int) throws -> Message? {
        guard try row[offset].decode(String?.self) != nil else { return nil }
        return try message(from: row, at: offset)
    }

    static func message(from row: PostgresRandomAccessRow, at offset: Int) throws -> Message {
        func column<Value: PostgresDecodable>(_ index: Int, _ type: Value.Type = Value.self) throws -> Value {
            try row[offset + index].decode(Value.self)
        }
        let promptTokens: Int? = try column(12)
        let completionTokens: Int? = try column(13)
        let usage = promptTokens.map {
            MessageUsage(
                promptTokens: $0, completionTokens: completionTokens ?? 0, estimated: (try? column(14, Bool.self)) ?? false)
        }
        let generation = Message.Generation(
            model: try column(10), connectionID: try column(11, String?.self).map(ConnectionID.init(stored:)), usage: usage,
            latencyMilliseconds: try column(15), timeToFirstTokenMilliseconds: try column(16), finishReason: try column(17),
            error: try column(18))
        return Message(
            id: MessageID(stored: try column(0)), agentID: AgentID(stored: try column(1)),
            conversationID: ConversationID(stored: try column(2)), userID: UserID(stored: try column(3)),
            role: Message.Role(rawValue: try column(4)) ?? .user, content: try column(5),
            metadata: try column(6, String?.self).map(JSONValue.init(storedText:)), createdAt: try column(7),
            parentID: try column(8, String?.self).map(MessageID.init(stored:)), startsAnew: try column(19),
            status: Message.Status(rawValue: try column(9)) ?? .complete,
            generation: generation.isEmpty ? nil : generation)
    }
}
