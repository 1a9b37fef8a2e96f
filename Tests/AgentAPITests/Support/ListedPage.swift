/// A listing page generated from the document, by the ids of its items.
protocol ListedPage: Decodable {
    var ids: [String] { get }
    var hasMore: Bool { get }
    var firstId: String? { get }
    var lastId: String? { get }
}

extension Schemas.AgentPage: ListedPage { var ids: [String] { data.map(\.id) } }
extension Schemas.ConnectionPage: ListedPage { var ids: [String] { data.map(\.id) } }
extension Schemas.ConversationPage: ListedPage { var ids: [String] { data.map(\.id) } }
extension Schemas.MessagePage: ListedPage { var ids: [String] { data.map(\.id) } }
extension Schemas.FeedbackPage: ListedPage { var ids: [String] { data.map(\.id) } }
extension Schemas.TokenPage: ListedPage { var ids: [String] { data.map(\.id) } }
extension Schemas.AuditEntryPage: ListedPage { var ids: [String] { data.map(\.id) } }
extension Schemas.ProviderCallPage: ListedPage { var ids: [String] { data.map(\.id) } }
