import AgentStore

/// Something listed by id, so a page can name its first and last.
protocol Identified {
    associatedtype ID
    var id: ID { get }
    /// The id as a page's cursor (`after`, `before`, `first_id`, `last_id`) names it.
    var cursorID: String { get }
}

extension Identified where ID == String {
    var cursorID: String { id }
}

extension Identified where ID: RawRepresentable, ID.RawValue == String {
    var cursorID: String { id.rawValue }
}

// The store's models list by their ids too, which the export walks by.
extension Agent: Identified {}
extension APIConnection: Identified {}
extension APIToken: Identified {}
extension Conversation: Identified {}
extension Message: Identified {}
extension Feedback: Identified {}
extension AuditEntry: Identified {}
