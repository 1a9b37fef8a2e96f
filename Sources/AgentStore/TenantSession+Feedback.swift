import Foundation
import PostgresNIO

extension TenantSession {
    static let feedbackColumns = "id, message_id, agent_id, user_id, rating, comment, created_at, updated_at"

    static func feedback(from row: PostgresRow) throws -> Feedback {
        let (id, messageID, agentID, userID, rating, comment, createdAt, updatedAt) =
            try row.decode((String, String, String?, String, Int, String?, Date, Date).self)
        return Feedback(
            id: id, messageID: MessageID(stored: messageID), agentID: agentID.map(AgentID.init(stored:)),
            userID: UserID(stored: userID), rating: rating,
            comment: comment, createdAt: createdAt, updatedAt: updatedAt)
    }

    // MARK: Operations

    /// Sets the tenant's feedback on a message, replacing any earlier one (one per user per message).
    public func setFeedback(messageID: MessageID, _ new: NewFeedback) async throws -> Feedback {
        try new.validate()
        // The composite foreign key refuses a message of another tenant; it reads as not found.
        return try await row(
            """
            INSERT INTO agent_feedback (message_id, user_id, owner_id, rating, comment)
            VALUES (\(messageID), \(userID.rawValue), \(userID.rawValue), \(new.rating), \(new.comment))
            ON CONFLICT (message_id, user_id) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment
            RETURNING \(unescaped: Self.feedbackColumns)
            """, Self.feedback
        ) ?? { throw StoreError.notFound(resource: "message") }()
    }

    /// The tenant's own feedback on each of `messageIDs` that has some (one statement, the unique key's
    /// index): what a page of a conversation shows beside its replies.
    public func feedback(on messageIDs: [MessageID]) async throws -> [MessageID: Feedback] {
        guard !messageIDs.isEmpty else { return [:] }
        let given = try await rows(
            """
            SELECT \(unescaped: Self.feedbackColumns) FROM agent_feedback
             WHERE message_id = ANY(\(messageIDs.map(\.rawValue))) AND user_id = \(userID.rawValue)
            """, Self.feedback)
        return Dictionary(given.map { ($0.messageID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func removeFeedback(messageID: MessageID) async throws {
        let deleted = try await affectedRows(
            "DELETE FROM agent_feedback WHERE message_id = \(messageID) AND user_id = \(userID.rawValue) RETURNING id"
        )
        guard deleted > 0 else { throw StoreError.notFound(resource: "feedback") }
    }

    /// The feedback the tenant gave, across all agents, newest first by default. Only the row-level
    /// security benchmark reads it (the seed's mix has it), hence `package`.
    package func givenFeedback(_ request: PageRequest) async throws -> Page<Feedback> {
        if request.cursor == nil, request.order == .descending {
            try request.validate()
            let first = PreparedPages.GivenFeedback(tenant: userID.rawValue, limit: request.limit + 1)
            return Keyset(request: request).page(from: try await rows(prepared: first, Self.feedback))
        }
        return try await listing(
            Self.feedbackColumns, from: "agent_feedback", where: [("user_id", userID.rawValue)], request, Self.feedback)
    }

    /// A page of an agent's feedback, newest first by default, with thumbs-up and thumbs-down totals.
    public func feedback(agentID: AgentID, _ request: PageRequest) async throws -> FeedbackReport {
        _ = try await agent(agentID)
        let page = try await feedbackPage(agentID: agentID, request)
        let (up, down) =
            try await row(
                """
                SELECT count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 0)
                  FROM agent_feedback WHERE agent_id = \(agentID) AND owner_id = \(userID.rawValue)
                """
            ) { try $0.decode((Int, Int).self) } ?? (0, 0)
        return FeedbackReport(page: page, thumbsUp: up, thumbsDown: down)
    }

    /// A page of an agent's feedback alone: what the export walks, which needs no totals (counted again on
    /// every page, they cost the square of the agent's feedback).
    func feedbackPage(agentID: AgentID, _ request: PageRequest) async throws -> Page<Feedback> {
        try await listing(
            Self.feedbackColumns, from: "agent_feedback",
            where: [("agent_id", agentID.rawValue), ("owner_id", userID.rawValue)], request, Self.feedback)
    }
}
