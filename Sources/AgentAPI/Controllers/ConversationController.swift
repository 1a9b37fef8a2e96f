import AgentReplies
import AgentStore
import Hummingbird

/// `/v1/agents/{agent_id}/conversations`: conversations with an agent and their messages.
struct ConversationController: Sendable {
    let store: AgentStore
    let replies: ReplyGenerator

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.get("{conversation_id}", use: show)
        group.patch("{conversation_id}", use: rename)
        group.delete("{conversation_id}", use: delete)
        group.post("{conversation_id}/messages", use: append)
        group.get("{conversation_id}/messages", use: messages)
        group.get("{conversation_id}/thread", use: thread)
    }

    // MARK: Handlers

    /// `listConversations`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> ListBody<ConversationBody> {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let conversations = try await store.withTenant(of: context) { try await $0.conversations(agentID: agentID, page) }
        return ListBody(conversations, ConversationBody.init)
    }

    /// `createConversation`: a server-generated id unless the client names one; untitled until given a
    /// title or its first message.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<ConversationBody> {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let body = try await request.decode(as: CreateConversationBody.self, context: context)
        let new = try NewConversation(requestedID: body.id, title: body.title)
        let conversation = try await store.withTenant(of: context) { try await $0.createConversation(agentID: agentID, new) }
        return .created(
            ConversationBody(conversation), at: "v1", "agents", agentID.rawValue, "conversations", conversation.id.rawValue)
    }

    /// `getConversation`.
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> ConversationBody {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        return ConversationBody(
            try await store.withTenant(of: context) {
                try await $0.conversation(agentID: agentID, conversationID: conversationID)
            })
    }

    /// `updateConversation`: a new title; the conversation as it now is.
    @Sendable func rename(_ request: Request, context: APIRequestContext) async throws -> ConversationBody {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let body = try await request.decode(as: UpdateConversationBody.self, context: context)
        return ConversationBody(
            try await store.withTenant(of: context) {
                try await $0.renameConversation(agentID: agentID, conversationID: conversationID, title: body.title)
            })
    }

    /// `deleteConversation`: 204.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let streaming = try await store.withTenant(of: context) {
            try await $0.deleteConversation(agentID: agentID, conversationID: conversationID)
        }
        await replies.stop(streaming, of: try context.tenant())
        return .noContent
    }

    /// `createMessage`: appends a message; the first message of a new `conversation_id` starts the conversation.
    @Sendable func append(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<MessageBody> {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let new = try await request.decode(as: CreateMessageBody.self, context: context).newMessage()
        let message = try await store.withTenant(of: context) {
            try await $0.appendMessage(agentID: agentID, conversationID: conversationID, new)
        }
        return .created(MessageBody(message), at: "v1", "messages", message.id.rawValue)
    }

    /// `listMessages`: oldest first by default.
    @Sendable func messages(_ request: Request, context: APIRequestContext) async throws -> ListBody<MessageBody> {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let page = try PageRequest(query: request, defaultOrder: .ascending)
        let messages = try await store.withTenant(of: context) {
            try await $0.messages(agentID: agentID, conversationID: conversationID, page)
        }
        return ListBody(messages, MessageBody.init)
    }

    /// `getThread`: the thread that ends at the conversation's newest message, or through a version chosen
    /// (`through`), or exactly at a message (`at`).
    @Sendable func thread(_ request: Request, context: APIRequestContext) async throws -> ThreadBody {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let end = try ConversationThread.End(query: request)
        let limit = try PageRequest.limit(of: request.queryFields)
        return ThreadBody(
            try await store.withTenant(of: context) { session in
                try await session.thread(agentID: agentID, conversationID: conversationID, ending: end, limit: limit)
            })
    }
}
