import AgentStore
import Foundation
import Hummingbird

/// Feedback on a message as the API shows it.
struct FeedbackBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let messageID: String
    @Nullable var agentID: String?
    let rating: Int
    @Nullable var comment: String?
    let createdAt: Date
    let updatedAt: Date

    init(_ feedback: Feedback) {
        id = feedback.id
        messageID = feedback.messageID.rawValue
        agentID = feedback.agentID?.rawValue
        rating = feedback.rating
        comment = feedback.comment
        createdAt = feedback.createdAt
        updatedAt = feedback.updatedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case messageID = "message_id"
        case agentID = "agent_id"
        case rating, comment
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The body of `PUT /v1/messages/{message_id}/feedback`.
struct SetFeedbackBody: APIRequestBody {
    let rating: Int
    let comment: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case rating, comment }

    var newFeedback: NewFeedback { NewFeedback(rating: rating, comment: comment) }
}

/// A page of an agent's feedback with the totals over all of it.
struct FeedbackListBody: ResponseEncodable, Sendable {
    let page: ListBody<FeedbackBody>
    let thumbsUp: Int
    let thumbsDown: Int

    init(_ report: FeedbackReport) {
        page = ListBody(report.page, FeedbackBody.init)
        thumbsUp = report.thumbsUp
        thumbsDown = report.thumbsDown
    }

    private enum CodingKeys: String, CodingKey {
        case thumbsUp = "thumbs_up"
        case thumbsDown = "thumbs_down"
    }

    func encode(to encoder: any Encoder) throws {
        try page.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(thumbsUp, forKey: .thumbsUp)
        try container.encode(thumbsDown, forKey: .thumbsDown)
    }
}
