import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Keyset pages walked to the end in both directions: no gaps, no repeats, even with inserts meanwhile.
@Suite(.oneDatabase) struct PaginationTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    /// Walks `/v1/agents` with `limit` 7 in `order` by `after`, collecting ids; `during` runs after each page.
    func walk(_ client: any TestClientProtocol, as owner: Tenant, order: String, during: () async throws -> Void)
        async throws -> [String]
    {
        try await PageWalk.forward { after in
            try await page(client, as: owner, "/v1/agents?limit=7&order=\(order)" + (after.map { "&after=\($0)" } ?? ""), during)
        }
    }

    /// One page of a walk, checked and decoded.
    func page(_ client: any TestClientProtocol, as owner: Tenant, _ uri: String, _ during: () async throws -> Void)
        async throws -> PageWalk.Step
    {
        let response = try await client.send(.get, uri, as: owner)
        #expect(response.status == .ok)
        let page = try response.decode(Schemas.AgentPage.self)
        try await during()
        return PageWalk.Step(ids: page.ids, hasMore: page.hasMore)
    }

    @Test(arguments: [("asc", false), ("desc", false), ("asc", true), ("desc", true)])
    func walkSeesEveryRowOnceDespiteConcurrentInserts(order: String, backwards: Bool) async throws {
        let owner = try await api.makeUser()
        let initial = try await (0..<30).asyncMap { index in
            try await api.db.store.withTenant(owner.id) {
                try await $0.createAgent(NewAgent(name: "a\(index)", systemPrompt: "p")).id.rawValue
            }
        }
        try await api.test { client async throws in
            // Walking backwards starts from the far end: a `before` walk needs its first cursor from the other side.
            var seen: [String]
            let insert = {
                _ = try await api.db.store.withTenant(owner.id) {
                    try await $0.createAgent(NewAgent(name: "late", systemPrompt: "p"))
                }
            }
            if backwards {
                let reverse = order == "asc" ? "desc" : "asc"
                let first = try await client.send(.get, "/v1/agents?limit=7&order=\(reverse)", as: owner)
                let edge = try #require(try first.ids(Schemas.AgentPage.self).first)
                let rest = try await walkBefore(client, as: owner, order: order, from: edge, during: insert)
                seen = rest + [edge]
            } else {
                seen = try await walk(client, as: owner, order: order, during: insert)
            }
            #expect(Set(seen).count == seen.count, "no repeats")
            for id in initial { #expect(seen.filter { $0 == id }.count == 1, "every initial row exactly once") }
        }
    }

    /// Walks from `edge` toward the start with `before`, returning ids in listing order.
    func walkBefore(
        _ client: any TestClientProtocol, as owner: Tenant, order: String, from edge: String, during: () async throws -> Void
    ) async throws -> [String] {
        try await PageWalk.backward(from: edge) { before in
            try await page(client, as: owner, "/v1/agents?limit=7&order=\(order)&before=\(before)", during)
        }
    }

    @Test func defaultAndEmptyPages() async throws {
        let owner = try await api.makeUser()
        for index in 0..<25 {
            _ = try await api.db.store.withTenant(owner.id) {
                try await $0.createAgent(NewAgent(name: "a\(index)", systemPrompt: "p"))
            }
        }
        try await api.test { client async throws in
            let first = try await client.send(.get, "/v1/agents", as: owner)
            let page = try first.decode(Schemas.AgentPage.self)
            #expect(page.ids.count == 20)
            #expect(page.hasMore)
            #expect(page.firstId == page.ids.first && page.lastId == page.ids.last)
            let empty = try await client.send(.get, "/v1/tokens?limit=5&after=\(try #require(page.lastId))", as: owner)
            #expect(empty.isProblem(.unprocessableContent), "an agent id names no token")
            // A connection of the tenant that is not linked to the agent is no item of the agent's connections.
            let agentID = try #require(page.ids.first)
            let connection = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "c", "service": "openai", "api_key": "sk-pagination-0123"])
            let connectionID = try connection.decode(Schemas.Connection.self).id
            let unlinked = try await client.send(.get, "/v1/agents/\(agentID)/connections?after=\(connectionID)", as: owner)
            #expect(unlinked.isProblem(.unprocessableContent), "an unlinked connection names no linked one")
            #expect(try await client.send(.put, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner).status.code < 300)
            let linked = try await client.send(.get, "/v1/agents/\(agentID)/connections?after=\(connectionID)", as: owner)
            #expect(linked.status == .ok)
            let other = try await api.makeUser("other")
            let none = try await client.send(.get, "/v1/agents", as: other)
            let body = try none.decode(Schemas.AgentPage.self)
            #expect(body.hasMore == false)
            #expect(body.firstId == nil && body.lastId == nil)
            #expect(none.text.contains(#""first_id":null"#))
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

extension PaginationTests {
    /// Walks `uri` (whose query takes `&after=`) to its end; each page's size and the ids in listing order.
    func walkCountingPages<Listed: ListedPage>(
        _ client: any TestClientProtocol, as owner: Tenant, _ uri: String, _ listed: Listed.Type
    ) async throws -> (sizes: [Int], ids: [String]) {
        var sizes: [Int] = []
        let ids = try await PageWalk.forward { after in
            let response = try await client.send(.get, uri + (after.map { "&after=\($0)" } ?? ""), as: owner)
            #expect(response.status == .ok)
            let page = try response.decode(Listed.self)
            sizes.append(page.ids.count)
            try #require(sizes.count <= 20, "the walk does not end")
            return PageWalk.Step(ids: page.ids, hasMore: page.hasMore)
        }
        return (sizes, ids)
    }

    /// A page of 1 MB messages stops once its content passes 4 MiB (after five of them), says it has more,
    /// and the next pages follow its last id as usual, in both orders: no message is lost or repeated.
    @Test(arguments: ["asc", "desc"])
    func pagesOfLargeMessagesStopEarly(order: String) async throws {
        let owner = try await api.makeUser()
        let (agentID, ids) = try await LargeMessages.make(api, owner, count: 12)
        try await api.test { client async throws in
            let conversation = LargeMessages.conversation.rawValue
            let uri = "/v1/agents/\(agentID)/conversations/\(conversation)/messages?limit=100&order=\(order)"
            let walked = try await walkCountingPages(client, as: owner, uri, Schemas.MessagePage.self)
            #expect(walked.sizes == [5, 5, 2])
            #expect(walked.ids == (order == "asc" ? ids : ids.reversed()))
        }
    }

    /// A page of conversations carries each one's latest message: it stops the same way once those pass
    /// 4 MiB, and the next pages follow its last id, so no conversation is lost or repeated.
    @Test(arguments: ["asc", "desc"])
    func pagesOfConversationsEndingInLargeMessagesStopEarly(order: String) async throws {
        let owner = try await api.makeUser()
        let content = String(repeating: "x", count: 1_000_000)
        let (agentID, ids) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "large", systemPrompt: "p"))
            var ids: [String] = []
            for index in 0..<6 {
                let message = try await session.appendMessage(
                    agentID: agent.id, conversationID: ConversationID(rawValue: "c\(index)")!,
                    NewMessage(role: .user, content: content))
                ids.append(message.conversationID.rawValue)
            }
            return (agent.id.rawValue, ids)
        }
        try await api.test { client async throws in
            let uri = "/v1/agents/\(agentID)/conversations?limit=100&order=\(order)"
            let walked = try await walkCountingPages(client, as: owner, uri, Schemas.ConversationPage.self)
            #expect(walked.sizes == [5, 1])
            #expect(walked.ids == (order == "asc" ? ids : ids.reversed()))
        }
    }
}
