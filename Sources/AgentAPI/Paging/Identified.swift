import AgentStore

/// Something listed by id, so a page can name its first and last.
protocol Identified {
    var id: String { get }
}

// The store's models list by their ids too, which the export walks by.
extension Agent: Identified {}
extension APIConnection: Identified {}
extension APIToken: Identified {}
extension Conversation: Identified {}
extension Message: Identified {}
extension Feedback: Identified {}
extension AuditEntry: Identified {}
