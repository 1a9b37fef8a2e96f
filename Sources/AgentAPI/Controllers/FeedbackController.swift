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

    /// `setFeedback`: the tenant's feedback on a message, replacing any earlier one.
    @Sendable func set(_ request: Request, context: APIRequestContext) async throws -> FeedbackBody {
        let messageID = try context.id(MessageID.self, "message_id", of: "message")
        let body = try await request.decode(as: SetFeedbackBody.self, context: context)
        let feedback = try await store.withTenant(of: context) {
            try await $0.setFeedback(messageID: messageID, body.newFeedback)
        }
        return FeedbackBody(feedback)
    }

    /// `deleteFeedback`: 204.
    @Sendable func remove(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let messageID = try context.id(MessageID.self, "message_id", of: "message")
        try await store.withTenant(of: context) { try await $0.removeFeedback(messageID: messageID) }
        return .noContent
    }

    /// `getFeedbackReport`: a page of an agent's feedback with its totals.
    @Sendable func report(_ request: Request, context: APIRequestContext) async throws -> FeedbackListBody {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let report = try await store.withTenant(of: context) { try await $0.feedback(agentID: agentID, page) }
        return FeedbackListBody(report)
    }
}
