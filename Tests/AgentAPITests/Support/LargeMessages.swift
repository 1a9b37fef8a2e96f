import AgentStore
import AgentTestSupport
import Foundation

/// A conversation of large messages, written through the store (one request body could not carry many).
enum LargeMessages {
    static let conversation = ConversationID(rawValue: "large")!

    /// An agent of `owner` with `count` messages of `bytes` bytes each in ``conversation``; their ids, oldest first.
    static func make(_ api: TestAPI, _ owner: Tenant, count: Int, bytes: Int = 1_000_000) async throws
        -> (agentID: String, messageIDs: [String])
    {
        let content = String(repeating: "x", count: bytes)
        return try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "large", systemPrompt: "p"))
            var ids: [String] = []
            for _ in 0..<count {
                let message = try await session.appendMessage(
                    agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: content))
                ids.append(message.id.rawValue)
            }
            return (agent.id.rawValue, ids)
        }
    }
}
