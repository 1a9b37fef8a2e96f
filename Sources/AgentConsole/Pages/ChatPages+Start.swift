import AgentAPI
import AgentStore
import Foundation
import Hummingbird

// MARK: Starting a conversation

extension ChatPages {
    /// A conversation not begun yet: the chat page of a new id, with nothing stored. Its first message
    /// stores it (a reply to an unknown id starts that conversation), so a conversation opened and left
    /// without a word does not stay in every list as "0 messages". The page's script then gives the page
    /// the conversation's address; without script, the message's form leads there.
    @Sendable func start(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let (user, agent) = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            (try await $0.currentUserIfExists(), try await $0.agent(agentID))
        }
        // A UUID, as the database's own ids are; a page reloaded before its first message has a new one.
        let conversationID = ConversationID(rawValue: UUID().uuidString.lowercased())!
        let path = Self.path(agentID, conversationID)
        let title = "New conversation"
        let model = ChatPage(
            chrome: Chrome(
                title: title, section: .agents, withinSection: true, assets: pages.assets, visit: visit, email: user?.email),
            agentID: agentID.rawValue, agentName: agent.name, agentHref: "/agents/\(ConsoleFormat.segment(agentID.rawValue))",
            title: title, storedTitle: "", messages: [], earlier: nil, later: nil,
            repliesURL: "/console/api\(path)/replies", sendURL: "\(path)/messages", renameURL: "\(path)/rename",
            deleteURL: "\(path)/delete", downloadURL: "\(path)/download", follow: nil, parentID: nil,
            canWrite: visit.scopes.allow(.write), unstored: path)
        return pages.page("chat", model)
    }
}
