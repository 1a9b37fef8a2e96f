import AgentStore
import Hummingbird

/// `/v1/agents/{agent_id}/conversations`: conversations with an agent and their messages.
struct ConversationController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: list)
        group.delete("{conversation_id}", use: delete)
        group.post("{conversation_id}/messages", use: append)
        group.get("{conversation_id}/messages", use: messages)
    }

    // MARK: Handlers

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let agentID = try context.id("agent_id", of: "agent")
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let conversations = try await store.withTenant(of: context) { try await $0.conversations(agentID: agentID, page) }
        return try .json(ListBody(conversations, ConversationBody.init))
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let agentID = try context.id("agent_id", of: "agent")
        let conversationID = try context.id("conversation_id", of: "conversation")
        try await store.withTenant(of: context) { try await $0.deleteConversation(agentID: agentID, conversationID: conversationID) }
        return .noContent
    }

    /// Appends a message; the first message of a new `conversation_id` starts the conversation.
    @Sendable func append(_ request: Request, context: APIRequestContext) async throws -> Response {
        let agentID = try context.id("agent_id", of: "agent")
        let conversationID = try context.id("conversation_id", of: "conversation")
        let new = try await request.decodeJSON(as: CreateMessageBody.self, context: context).newMessage()
        let message = try await store.withTenant(of: context) {
            try await $0.appendMessage(agentID: agentID, conversationID: conversationID, new)
        }
        return try .json(MessageBody(message), status: .created)
    }

    @Sendable func messages(_ request: Request, context: APIRequestContext) async throws -> Response {
        let agentID = try context.id("agent_id", of: "agent")
        let conversationID = try context.id("conversation_id", of: "conversation")
        let page = try PageRequest(query: request, defaultOrder: .ascending)
        let messages = try await store.withTenant(of: context) {
            try await $0.messages(agentID: agentID, conversationID: conversationID, page)
        }
        return try .json(ListBody(messages, MessageBody.init))
    }
}
