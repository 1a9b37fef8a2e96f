import AgentStore
import AgentTestSupport
import Testing

@testable import AgentConsole

/// The models that answer Mustache's lookups by name (`MustacheParent`, which spares a reflection per
/// lookup) answer every property, with the value reflection would find: a property added without its name
/// would otherwise render as empty, silently.
@Suite(.oneDatabase) struct ConsoleLookupTests {
    let api: TestAPI

    init() async throws { api = try await TestAPI.make() }

    @Test func eachNamedLookupAnswersWhatReflectionWould() async throws {
        let owner = try await api.makeUser()
        let (user, reply) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Named", systemPrompt: "p"))
            let conversation = ConversationID(rawValue: "lookups")!
            let user = try await session.appendMessage(
                agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: "hi"))
            let reply = try await session.appendMessage(
                agentID: agent.id, conversationID: conversation, NewMessage(role: .assistant, content: "**hello**"))
            return (user, reply)
        }
        let chrome = Chrome(title: "t", section: .agents, assets: ConsoleAssets(), visit: nil, email: "a@example.test")
        let rows = [ChatPages.MessageRow(user, rated: nil), ChatPages.MessageRow(reply, rated: reply.id.rawValue)]
        let page = ChatPages.ChatPage(
            chrome: chrome, agentID: "a", agentName: "Named", agentHref: "/agents/a", title: "t", storedTitle: "t",
            messages: rows,
            earlier: "/earlier", later: "/later", repliesURL: "/r", sendURL: "/s", renameURL: "/n", deleteURL: "/d",
            downloadURL: "/dl", follow: "f",
            parentID: "p", canWrite: true, unstored: "/u")
        let models: [(model: Any, child: (String) -> Any?)] =
            rows.map { row in (row, { row.child(named: $0) }) } + [
                (page, { page.child(named: $0) }), (chrome, { chrome.child(named: $0) }),
            ]
        for (model, lookup) in models {
            for child in Mirror(reflecting: model).children {
                let label = try #require(child.label)
                let named = lookup(label)
                #expect(
                    named.map { String(describing: $0) } == Self.unwrapped(child.value).map { String(describing: $0) },
                    "\(type(of: model)).\(label)")
            }
        }
    }

    /// A reflected optional's value, or nil.
    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}
