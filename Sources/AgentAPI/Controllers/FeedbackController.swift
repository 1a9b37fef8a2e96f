import AgentStore
import Hummingbird

/// Feedback on messages (`/v1/messages/{message_id}/feedback`) and an agent's feedback report.
struct FeedbackController: Sendable {
    let store: AgentStore

    func addRoutes(messages: RouterGroup<APIRequestContext>, agents: RouterGroup<APIRequestContext>) {
        messages.put("{message_id}/feedback", use: set)
        messages.delete("{message_id}/feedback", use: remove)
        agents.get("{agent_id}/feedback", use: report)
    }

    // MARK: Handlers

    /// Sets the tenant's feedback on a message, replacing any earlier one.
    @Sendable func set(_ request: Request, context: APIRequestContext) async throws -> Response {
        let messageID = try context.id("message_id", of: "message")
        let body = try await request.decodeJSON(as: SetFeedbackBody.self, context: context)
        let feedback = try await store.withTenant(of: context) { try await $0.setFeedback(messageID: messageID, body.newFeedback) }
        return try .json(FeedbackBody(feedback))
    }

    @Sendable func remove(_ request: Request, context: APIRequestContext) async throws -> Response {
        let messageID = try context.id("message_id", of: "message")
        try await store.withTenant(of: context) { try await $0.removeFeedback(messageID: messageID) }
        return .noContent
    }

    @Sendable func report(_ request: Request, context: APIRequestContext) async throws -> Response {
        let agentID = try context.id("agent_id", of: "agent")
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let report = try await store.withTenant(of: context) { try await $0.feedback(agentID: agentID, page) }
        return try .json(FeedbackListBody(report))
    }
}
