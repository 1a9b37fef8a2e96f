import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A read's personal token, and that of the busiest writes, is checked inside the transaction that serves
/// it, scopes included. Whatever path the request takes, a token that is not valid gets a 401, one without
/// the scope a 403, and neither gets or changes anything of the tenant.
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

    @Test func writesCheckedInTheirTransactionRefuseMissingScopesAndStoreNothing() async throws {
        let owner = try await api.makeUser()
        let agent = try await api.db.store.withTenant(owner.id) {
            try await $0.createAgent(NewAgent(name: "mine", systemPrompt: "p"))
        }
        let messages = "/v1/agents/\(agent.id)/conversations/c/messages"
        let replies = "/v1/agents/\(agent.id)/conversations/c/replies"
        try await api.test { client async throws in
            let issued = try await client.send(.post, "/v1/tokens", as: owner, json: ["scopes": ["read"]])
            let reader = Tenant(id: owner.id, token: try issued.decode(Schemas.IssuedToken.self).token)
            let message: [String: Any] = ["role": "user", "content": "hello"]
            #expect(try await client.send(.post, messages, as: reader, json: message).isProblem(.forbidden))
            #expect(
                try await client.send(.post, replies, as: reader, json: ["content": "hi", "stream": false]).isProblem(.forbidden))
            // A bad body does not tell a caller without the scope anything about the body.
            #expect(try await client.send(.post, messages, as: reader, json: ["role": 1]).isProblem(.forbidden))
            #expect(try await client.send(.post, messages, as: forged(owner), json: message).isProblem(.unauthorized))
            #expect(try await client.send(.post, messages, as: forged(owner), json: ["role": 1]).isProblem(.unauthorized))
            #expect(try await client.send(.post, messages, as: owner, json: message).status == .created)
        }
        let stored = try await api.db.store.withTenant(owner.id) {
            try await $0.messages(
                agentID: agent.id, conversationID: ConversationID(stored: "c"), PageRequest(limit: 10, order: .ascending))
        }
        #expect(stored.items.map(\.content) == ["hello"])
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
                _ = try await api.db.store.withTenant(owner.id) { try await $0.revokeToken(token.id) }
            }
            #expect(try await client.send(.get, "/v1/agents", as: owner).isProblem(.unauthorized))
        }
    }

    /// A request that meets the database away is a 503 after one try: its token is not checked again in a
    /// transaction of its own, which would meet the same database (a silent one would hold the request as
    /// long again: seen with `agentctl serve`, 80 s for the 40 s statement deadline).
    @Test func aTokenIsNotCheckedAgainWhenTheDatabaseIsAway() async throws {
        let owner = try await api.makeUser()
        let (app, database) = try await api.applicationWithTheDatabaseAway()
        try await app.test(.router) { client async throws in
            #expect(try await client.send(.get, "/v1/agents", as: owner).status == .serviceUnavailable)
            #expect(database.refusedLeases == 1)
            // The OpenAI-compatible endpoint answers its own errors: its 503 is a response, not an error.
            let completion = try await client.send(
                .post, "/v1/chat/completions", as: owner,
                json: ["model": "agent:\(UUID().uuidString.lowercased())", "messages": [["role": "user", "content": "hi"]]])
            #expect(completion.status == .serviceUnavailable)
            #expect(database.refusedLeases == 2)
        }
    }
}
