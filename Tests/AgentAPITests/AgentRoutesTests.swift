import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AgentRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test func createReadUpdateDelete() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let created = try await client.send(.post, "/v1/agents", as: owner, json: [
                "name": "Helper", "system_prompt": "Be kind.", "temperature": 0.5, "max_tokens": 100,
            ])
            #expect(created.status == .created)
            let agent = try created.object()
            let id = try #require(agent["id"] as? String)
            #expect(agent["system_prompt"] as? String == "Be kind.")
            #expect(agent["max_tokens"] as? Int == 100)
            #expect((agent["created_at"] as? String)?.hasSuffix("Z") == true)

            let shown = try await client.send(.get, "/v1/agents/\(id)", as: owner)
            #expect(shown.status == .ok)
            #expect(try shown.object()["name"] as? String == "Helper")

            let patched = try await client.send(.patch, "/v1/agents/\(id)", as: owner, json: ["name": "Renamed", "max_tokens": NSNull()])
            #expect(patched.status == .ok)
            let patchedAgent = try patched.object()
            #expect(patchedAgent["name"] as? String == "Renamed")
            #expect(patchedAgent["max_tokens"] is NSNull)
            #expect(patchedAgent["system_prompt"] as? String == "Be kind.")

            let listed = try await client.send(.get, "/v1/agents", as: owner)
            #expect(listed.status == .ok)
            #expect(try listed.ids() == [id])
            #expect(try listed.object()["has_more"] as? Bool == false)
            #expect(try listed.object()["first_id"] as? String == id)

            #expect(try await client.send(.delete, "/v1/agents/\(id)", as: owner).status == .noContent)
            #expect(try await client.send(.get, "/v1/agents/\(id)", as: owner).isProblem(.notFound))
            #expect(try await client.send(.delete, "/v1/agents/\(id)", as: owner).isProblem(.notFound))
        }
    }

    @Test func invalidValuesAre422WithFieldErrors() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let response = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "", "system_prompt": "x"])
            #expect(response.isProblem(.unprocessableContent))
            let errors = try #require(try response.object()["errors"] as? [[String: String]])
            #expect(errors.first?["field"] == "name")
            let hot = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "a", "system_prompt": "x", "temperature": 3])
            #expect(hot.isProblem(.unprocessableContent))
            let missing = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "a"])
            #expect(missing.isProblem(.badRequest))
            #expect(try (missing.object()["errors"] as? [[String: String]])?.first?["field"] == "system_prompt")
            let nullName = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "a", "system_prompt": "x"])
            let id = try #require(try nullName.object()["id"] as? String)
            #expect(try await client.send(.patch, "/v1/agents/\(id)", as: owner, json: ["name": NSNull()]).isProblem(.unprocessableContent))
        }
    }

    @Test func anotherTenantSeesNothingAndChangesNothing() async throws {
        let owner = try await api.makeUser("owner")
        let intruder = try await api.makeUser("intruder")
        try await api.test { client in
            let created = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "Mine", "system_prompt": "p"])
            let id = try #require(try created.object()["id"] as? String)
            #expect(try await client.send(.get, "/v1/agents/\(id)", as: intruder).isProblem(.notFound))
            #expect(try await client.send(.patch, "/v1/agents/\(id)", as: intruder, json: ["name": "Stolen"]).isProblem(.notFound))
            #expect(try await client.send(.delete, "/v1/agents/\(id)", as: intruder).isProblem(.notFound))
            #expect(try await client.send(.get, "/v1/agents", as: intruder).ids() == [])
            let unknown = try await client.send(.get, "/v1/agents/00000000-0000-0000-0000-000000000000", as: intruder)
            #expect(unknown.isProblem(.notFound))
            // The problem for another tenant's id is exactly the one for an id that does not exist.
            let foreign = try await client.send(.get, "/v1/agents/\(id)", as: intruder)
            #expect(foreign.text == unknown.text)
            let after = try await client.send(.get, "/v1/agents/\(id)", as: owner)
            #expect(try after.object()["name"] as? String == "Mine")
        }
    }
}
