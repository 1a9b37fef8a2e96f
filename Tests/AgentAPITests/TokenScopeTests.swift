import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// Personal tokens expire and carry scopes: `read` only reads, `write` changes data, and only `admin`
/// manages tokens and deletes the account. Token creation, revocation and exports are audited.
@Suite(.oneDatabase) struct TokenScopeTests {
    let api: TestAPI

    init() async throws { api = try await TestAPI.make() }

    /// A token of `owner`'s, created through the API with `body`.
    func issue(_ client: any TestClientProtocol, by owner: Tenant, _ body: [String: Any]) async throws -> (
        Tenant, Schemas.IssuedToken
    ) {
        let response = try await client.send(.post, "/v1/tokens", as: owner, json: body)
        #expect(response.status == .created, "\(response.text)")
        let issued = try response.decode(Schemas.IssuedToken.self)
        return (Tenant(id: owner.id, token: issued.token), issued)
    }

    @Test func expiredTokenIs401() async throws {
        let owner = try await api.makeUser()
        let token = try await api.db.store.withTenant(owner.id) { try await $0.createToken(name: "short", expiresInDays: 1) }
        let holder = Tenant(id: owner.id, token: token.value)
        try await api.test { client async throws in
            #expect(try await client.send(.get, "/v1/me", as: holder).status == .ok)
            try await api.db.admin.query(
                "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = \(token.token.id.rawValue)",
                logger: api.db.logger)
            #expect(try await client.send(.get, "/v1/me", as: holder).isProblem(.unauthorized))
            #expect(try await client.send(.get, "/v1/agents", as: holder).isProblem(.unauthorized))
            #expect(
                try await client.send(.post, "/v1/agents", as: holder, json: ["name": "a", "system_prompt": "p"]).isProblem(
                    .unauthorized))
            #expect(try await client.send(.delete, "/v1/agents/nope", as: holder).isProblem(.unauthorized))
        }
    }

    @Test func lifetimeDefaultsAndLimits() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let (_, standard) = try await issue(client, by: owner, [:])
            let expiry = try #require(standard.expiresAt)
            #expect(abs(expiry.timeIntervalSinceNow - 90 * 86_400) < 3_600)
            #expect(Set(standard.scopes.map(\.rawValue)) == ["read", "write", "admin"])
            let (_, week) = try await issue(client, by: owner, ["expires_in_days": 7, "scopes": ["read"]])
            #expect(abs(try #require(week.expiresAt).timeIntervalSinceNow - 7 * 86_400) < 3_600)
            #expect(week.scopes.map(\.rawValue) == ["read"])
            for body: [String: Any] in [
                ["expires_in_days": 0], ["expires_in_days": 366], ["scopes": ["read", "root"]], ["scopes": [String]()],
            ] {
                let refused = try await client.send(.post, "/v1/tokens", as: owner, json: body)
                #expect(refused.isProblem(.unprocessableContent), "\(body): \(refused.status)")
            }
            let listed = try await client.send(.get, "/v1/tokens", as: owner).decode(Schemas.TokenPage.self)
            #expect(listed.data.contains { $0.id == week.id && $0.scopes.map(\.rawValue) == ["read"] })
        }
    }

    @Test func readTokenReadsButCannotWrite() async throws {
        let owner = try await api.makeUser()
        let agent = try await api.db.store.withTenant(owner.id) {
            try await $0.createAgent(NewAgent(name: "kept", systemPrompt: "p"))
        }
        try await api.test { client async throws in
            let (reader, _) = try await issue(client, by: owner, ["scopes": ["read"]])
            #expect(try await client.send(.get, "/v1/me", as: reader).status == .ok)
            #expect(try await client.send(.get, "/v1/agents", as: reader).status == .ok)
            #expect(try await client.send(.get, "/v1/agents/\(agent.id)", as: reader).status == .ok)
            let posted = try await client.send(.post, "/v1/agents", as: reader, json: ["name": "new", "system_prompt": "p"])
            #expect(posted.isProblem(.forbidden))
            #expect(try await client.send(.delete, "/v1/agents/\(agent.id)", as: reader).isProblem(.forbidden))
            #expect(
                try await client.send(.patch, "/v1/agents/\(agent.id)", as: reader, json: ["name": "x"]).isProblem(.forbidden))
            #expect(try await client.send(.get, "/v1/tokens", as: reader).isProblem(.forbidden))
        }
        let still = try await api.db.store.withTenant(owner.id) { try await $0.agent(agent.id) }
        #expect(still.name == "kept")
    }

    @Test func writeTokenCannotManageTokensOrDeleteTheAccount() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let (writer, issued) = try await issue(client, by: owner, ["scopes": ["write"]])
            #expect(try await client.send(.get, "/v1/agents", as: writer).status == .ok)
            #expect(
                try await client.send(.post, "/v1/agents", as: writer, json: ["name": "a", "system_prompt": "p"]).status
                    == .created)
            #expect(try await client.send(.post, "/v1/tokens", as: writer, json: [String: Any]()).isProblem(.forbidden))
            #expect(try await client.send(.get, "/v1/tokens", as: writer).isProblem(.forbidden))
            #expect(try await client.send(.delete, "/v1/tokens/\(issued.id)", as: writer).isProblem(.forbidden))
            #expect(try await client.send(.delete, "/v1/me", as: writer).isProblem(.forbidden))
            // A trailing slash names the same route and the same rule.
            #expect(try await client.send(.delete, "/v1/me/", as: writer).status != .noContent)
            #expect(try await client.send(.get, "/v1/me", as: writer).status == .ok)
            // The admin token of the same user may.
            #expect(try await client.send(.delete, "/v1/tokens/\(issued.id)", as: owner).status == .noContent)
        }
        #expect(try await api.db.store.withTenant(owner.id) { try await $0.currentUserIfExists() } != nil)
    }

    @Test func tokenCreationRevocationAndExportAreAudited() async throws {
        let owner = try await api.makeUser()
        let tokenID = try await api.test { client async throws in
            let (_, issued) = try await issue(client, by: owner, ["name": "audited", "scopes": ["read", "write"]])
            #expect(try await client.send(.delete, "/v1/tokens/\(issued.id)", as: owner).status == .noContent)
            // Revoking again changes nothing and records nothing.
            #expect(try await client.send(.delete, "/v1/tokens/\(issued.id)", as: owner).status == .noContent)
            #expect(try await client.send(.get, "/v1/me/export", as: owner).status == .ok)
            return issued.id
        }
        let entries = try await api.db.store.withTenant(owner.id) {
            try await $0.auditLog(PageRequest(limit: 100, order: .ascending)).items
        }
        // The fixture's token, then this one.
        #expect(entries.filter { $0.action == "token.created" }.count == 2)
        #expect(entries.contains { $0.action == "token.created" && $0.targetID == tokenID })
        #expect(entries.filter { $0.action == "token.revoked" }.map(\.targetID) == [tokenID])
        #expect(entries.filter { $0.action == "account.exported" }.count == 1)
        #expect(entries.allSatisfy { $0.actor == "user:\(owner.id.rawValue)" })
    }
}
