import AgentStore
import AgentTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// A bodiless request's personal token is checked inside the transaction that serves it. Whatever path
/// the request takes, a token that is not valid gets a 401 and nothing of the tenant.
@Suite(.oneDatabase) struct TokenInTransactionTests {
    let api: TestAPI

    init() async throws { api = try await TestAPI.make() }

    /// A well-formed token for a real user, but with a secret that was never issued.
    func forged(_ tenant: Tenant) -> Tenant {
        let prefix = tenant.token.prefix { $0 != "." }
        return Tenant(id: tenant.id, token: "\(prefix).\(String(repeating: "A", count: 43))")
    }

    @Test func forgedTokenIs401OnEveryKindOfRequest() async throws {
        let owner = try await api.makeUser()
        let agent = try await api.db.store.withTenant(owner.id) {
            try await $0.createAgent(NewAgent(name: "mine", systemPrompt: "p"))
        }
        let forged = forged(owner)
        try await api.test { client async throws in
            // A read that finds rows, a read of one that exists, one that does not, a bad query
            // parameter (refused before the store), a delete, and a post with a bad body.
            let requests: [(HTTPRequest.Method, String, Any?)] = [
                (.get, "/v1/agents", nil), (.get, "/v1/agents/\(agent.id)", nil), (.get, "/v1/agents/nope", nil),
                (.get, "/v1/agents?limit=100000", nil), (.delete, "/v1/agents/\(agent.id)", nil),
                (.post, "/v1/agents", ["name": 42]),
            ]
            for (method, uri, json) in requests {
                let response = try await client.send(method, uri, as: forged, json: json)
                #expect(response.isProblem(.unauthorized), "\(method) \(uri): \(response.status)")
            }
        }
        let still = try await api.db.store.withTenant(owner.id) { try await $0.agent(agent.id) }
        #expect(still.name == "mine")
    }

    @Test func validTokenReadsAndRevokedTokenStops() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            #expect(try await client.send(.get, "/v1/agents", as: owner).status == .ok)
            #expect(try await client.send(.get, "/v1/agents/nope", as: owner).isProblem(.notFound))
            let tokens = try await api.db.store.withTenant(owner.id) {
                try await $0.tokens(PageRequest(limit: 10, order: .descending))
            }
            for token in tokens.items {
                try await api.db.store.withTenant(owner.id) { try await $0.revokeToken(token.id) }
            }
            #expect(try await client.send(.get, "/v1/agents", as: owner).isProblem(.unauthorized))
        }
    }
}
