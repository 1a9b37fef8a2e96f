import AgentStore
import Foundation
import Hummingbird

/// An audit log entry as the API shows it.
struct AuditEntryBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let actor: String
    let action: String
    let targetType: String
    @Nullable var targetID: String?
    @Nullable var requestID: String?
    let createdAt: Date
    @Nullable var details: JSONValue?

    init(_ entry: AuditEntry) {
        id = entry.id
        actor = entry.actor
        action = entry.action
        targetType = entry.targetType
        targetID = entry.targetID
        requestID = entry.requestID
        createdAt = entry.createdAt
        details = entry.details
    }

    private enum CodingKeys: String, CodingKey {
        case id, actor, action
        case targetType = "target_type"
        case targetID = "target_id"
        case requestID = "request_id"
        case createdAt = "created_at"
        case details
    }
}
