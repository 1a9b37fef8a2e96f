import Foundation

/// A thumbs up (1) or down (0) on a message, at most one per user per message.
public struct Feedback: Sendable, Equatable {
    public let id: String
    public let messageID: MessageID
    public let agentID: AgentID?
    public let userID: UserID
    public let rating: Int
    public let comment: String?
    public let createdAt: Date
    public let updatedAt: Date
}

/// A page of an agent's feedback with the agent's totals over all of it.
public struct FeedbackReport: Sendable {
    public let page: Page<Feedback>
    public let thumbsUp: Int
    public let thumbsDown: Int
}

/// What a user says about a message.
public struct NewFeedback: Sendable {
    public var rating: Int
    public var comment: String?

    public init(rating: Int, comment: String? = nil) {
        self.rating = rating
        self.comment = comment
    }

    /// Every field's fault named at once.
    func validate() throws(StoreError) {
        var checks = FieldChecks()
        try checks.check { () throws(StoreError) in
            guard rating == 0 || rating == 1 else { throw .invalid(field: .rating, reason: "must be 0 or 1") }
        }
        try checks.check { () throws(StoreError) in try Field.optionalText(comment, .comment, length: 0...10_000) }
        try checks.finish()
    }
}
