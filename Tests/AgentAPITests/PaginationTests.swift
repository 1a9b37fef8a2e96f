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
    func walk(_ client: any TestClientProtocol, as owner: Tenant, order: String, backwards: Bool, during: () async throws -> Void) async throws -> [String] {
        var seen: [String] = []
        var cursor: String?
        repeat {
            var uri = "/v1/agents?limit=7&order=\(order)"
            if let cursor { uri += backwards ? "&before=\(cursor)" : "&after=\(cursor)" }
            let response = try await client.send(.get, uri, as: owner)
            #expect(response.status == .ok)
            let body = try response.object()
            let ids = try response.ids()
            seen += backwards ? ids.reversed() : ids
            try await during()
            guard body["has_more"] as? Bool == true else { break }
            cursor = backwards ? body["first_id"] as? String : body["last_id"] as? String
        } while true
        return seen
    }

    @Test(arguments: [("asc", false), ("desc", false), ("asc", true), ("desc", true)])
    func walkSeesEveryRowOnceDespiteConcurrentInserts(order: String, backwards: Bool) async throws {
        let owner = try await api.makeUser()
        let initial = try await (0..<30).asyncMap { index in
            try await api.db.store.withTenant(owner.id) { try await $0.createAgent(NewAgent(name: "a\(index)", systemPrompt: "p")).id }
        }
        try await api.test { client async throws in
            // Walking backwards starts from the far end: a `before` walk needs its first cursor from the other side.
            var seen: [String]
            let insert = { _ = try await api.db.store.withTenant(owner.id) { try await $0.createAgent(NewAgent(name: "late", systemPrompt: "p")) } }
            if backwards {
                let reverse = order == "asc" ? "desc" : "asc"
                let first = try await client.send(.get, "/v1/agents?limit=7&order=\(reverse)", as: owner)
                let edge = try #require(try first.ids().first)
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
    func walkBefore(_ client: any TestClientProtocol, as owner: Tenant, order: String, from edge: String, during: () async throws -> Void) async throws -> [String] {
        var pages: [[String]] = []
        var cursor = edge
        while true {
            let response = try await client.send(.get, "/v1/agents?limit=7&order=\(order)&before=\(cursor)", as: owner)
            #expect(response.status == .ok)
            let ids = try response.ids()
            pages.insert(ids, at: 0)
            try await during()
            guard try response.object()["has_more"] as? Bool == true, let first = ids.first else { break }
            cursor = first
        }
        return pages.flatMap { $0 }
    }

    @Test func defaultAndEmptyPages() async throws {
        let owner = try await api.makeUser()
        for index in 0..<25 {
            _ = try await api.db.store.withTenant(owner.id) { try await $0.createAgent(NewAgent(name: "a\(index)", systemPrompt: "p")) }
        }
        try await api.test { client async throws in
            let first = try await client.send(.get, "/v1/agents", as: owner)
            #expect(try first.ids().count == 20)
            #expect(try first.object()["has_more"] as? Bool == true)
            let empty = try await client.send(.get, "/v1/tokens?limit=5&after=\(try first.ids().last!)", as: owner)
            #expect(empty.isProblem(.unprocessableContent), "an agent id names no token")
            let other = try await api.makeUser("other")
            let none = try await client.send(.get, "/v1/agents", as: other)
            let body = try none.object()
            #expect(body["has_more"] as? Bool == false)
            #expect(body["first_id"] is NSNull)
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
