import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Keyset pages walked to the end in both directions: no gaps, no repeats, even with inserts meanwhile.
@Suite struct PaginationTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    /// Walks `/v1/agents` with `limit` in `order`, by `after` (or `before` from the far end), collecting ids.
    func walk(_ client: any TestClientProtocol, as owner: Tenant, order: String, backwards: Bool, during: () async throws -> Void)
        async throws -> [String]
    {
        var seen: [String] = []
        var cursor: String?
        repeat {
            var uri = "/v1/agents?limit=7&order=\(order)"
            if let cursor { uri += backwards ? "&before=\(cursor)" : "&after=\(cursor)" }
            let response = try await client.send(.get, uri, as: owner)
            #expect(response.status == .ok)
            let page = try response.decode(Schemas.AgentPage.self)
            seen += backwards ? page.ids.reversed() : page.ids
            try await during()
            guard page.hasMore else { break }
            cursor = backwards ? page.firstId : page.lastId
        } while true
        return seen
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
                seen = try await walk(client, as: owner, order: order, backwards: false, during: insert)
            }
            #expect(Set(seen).count == seen.count, "no repeats")
            for id in initial { #expect(seen.filter { $0 == id }.count == 1, "every initial row exactly once") }
        }
    }

    /// Walks from `edge` toward the start with `before`, returning ids in listing order.
    func walkBefore(
        _ client: any TestClientProtocol, as owner: Tenant, order: String, from edge: String, during: () async throws -> Void
    ) async throws -> [String] {
        var pages: [[String]] = []
        var cursor = edge
        while true {
            let response = try await client.send(.get, "/v1/agents?limit=7&order=\(order)&before=\(cursor)", as: owner)
            #expect(response.status == .ok)
            let page = try response.decode(Schemas.AgentPage.self)
            pages.insert(page.ids, at: 0)
            try await during()
            guard page.hasMore, let first = page.ids.first else { break }
            cursor = first
        }
        return pages.flatMap { $0 }
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
