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

    /// `listConversations`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> ListBody<ConversationBody> {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let conversations = try await store.withTenant(of: context) { try await $0.conversations(agentID: agentID, page) }
        return ListBody(conversations, ConversationBody.init)
    }

    /// `deleteConversation`: 204.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.id(ConversationID.self, "conversation_id", of: "conversation")
        try await store.withTenant(of: context) {
            try await $0.deleteConversation(agentID: agentID, conversationID: conversationID)
        }
        return .noContent
    }

    /// `createMessage`: appends a message; the first message of a new `conversation_id` starts the conversation.
    @Sendable func append(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<MessageBody> {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.id(ConversationID.self, "conversation_id", of: "conversation")
        let new = try await request.decode(as: CreateMessageBody.self, context: context).newMessage()
        let message = try await store.withTenant(of: context) {
            try await $0.appendMessage(agentID: agentID, conversationID: conversationID, new)
        }
        return EditedResponse(status: .created, response: MessageBody(message))
    }

    /// `listMessages`: oldest first by default.
    @Sendable func messages(_ request: Request, context: APIRequestContext) async throws -> ListBody<MessageBody> {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.id(ConversationID.self, "conversation_id", of: "conversation")
        let page = try PageRequest(query: request, defaultOrder: .ascending)
        let messages = try await store.withTenant(of: context) {
            try await $0.messages(agentID: agentID, conversationID: conversationID, page)
        }
        return ListBody(messages, MessageBody.init)
    }
}
