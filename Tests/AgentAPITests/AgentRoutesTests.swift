import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.oneDatabase) struct AgentRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test func createReadUpdateDelete() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let created = try await client.send(
                .post, "/v1/agents", as: owner,
                json: [
                    "name": "Helper", "system_prompt": "Be kind.", "temperature": 0.5, "max_tokens": 100,
                ])
            #expect(created.status == .created)
            let agent = try created.decode(Schemas.Agent.self)
            let id = agent.id
            #expect(agent.systemPrompt == "Be kind.")
            #expect(agent.maxTokens == 100)
            #expect(agent.temperature == 0.5)
            // UTC with milliseconds, as the document's `date-time` with fractional seconds promises.
            #expect(created.text.contains(#/"created_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/#))

            let shown = try await client.send(.get, "/v1/agents/\(id)", as: owner)
            #expect(shown.status == .ok)
            #expect(try shown.decode(Schemas.Agent.self).name == "Helper")
            // A client that percent-encodes every character of a path segment names the same agent.
            let encoded = id.unicodeScalars.map { String(format: "%%%02X", $0.value) }.joined()
            let shownEncoded = try await client.send(.get, "/v1/agents/\(encoded)", as: owner)
            #expect(try shownEncoded.decode(Schemas.Agent.self).id == id)

            let patched = try await client.send(
                .patch, "/v1/agents/\(id)", as: owner, json: ["name": "Renamed", "max_tokens": NSNull()])
            #expect(patched.status == .ok)
            let patchedAgent = try patched.decode(Schemas.Agent.self)
            #expect(patchedAgent.name == "Renamed")
            #expect(patchedAgent.maxTokens == nil)
            #expect(patched.text.contains(#""max_tokens":null"#))
            #expect(patchedAgent.systemPrompt == "Be kind.")
            #expect(patchedAgent.updatedAt >= agent.updatedAt)

            let listed = try await client.send(.get, "/v1/agents", as: owner)
            #expect(listed.status == .ok)
            let page = try listed.decode(Schemas.AgentPage.self)
            #expect(page.ids == [id])
            #expect(page.hasMore == false)
            #expect(page.firstId == id)

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
            #expect(try response.problemField() == "name")
            let hot = try await client.send(
                .post, "/v1/agents", as: owner, json: ["name": "a", "system_prompt": "x", "temperature": 3])
            #expect(hot.isProblem(.unprocessableContent))
            let missing = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "a"])
            #expect(missing.isProblem(.badRequest))
            #expect(try missing.problemField() == "system_prompt")
            let id = try await client.createAgent(as: owner)
            // A `null` for a field that cannot be cleared is a 400 as a `null` anywhere else, named with the
            // body's other faults.
            let cleared = try await client.send(
                .patch, "/v1/agents/\(id)", as: owner, json: ["name": NSNull(), "model": NSNull(), "temperature": "hot"])
            #expect(cleared.isProblem(.badRequest))
            #expect(try cleared.problem().errors?.map(\.field).sorted() == ["model", "name", "temperature"])
            #expect(try cleared.problem().errors?.first { $0.field == "name" }?.reason == "must not be null")
        }
    }

    @Test func anotherTenantSeesNothingAndChangesNothing() async throws {
        let owner = try await api.makeUser("owner")
        let intruder = try await api.makeUser("intruder")
        try await api.test { client in
            let created = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "Mine", "system_prompt": "p"])
            let id = try created.decode(Schemas.Agent.self).id
            #expect(try await client.send(.get, "/v1/agents/\(id)", as: intruder).isProblem(.notFound))
            #expect(
                try await client.send(.patch, "/v1/agents/\(id)", as: intruder, json: ["name": "Stolen"]).isProblem(.notFound))
            #expect(try await client.send(.delete, "/v1/agents/\(id)", as: intruder).isProblem(.notFound))
            #expect(try await client.send(.get, "/v1/agents", as: intruder).ids(Schemas.AgentPage.self) == [])
            let unknown = try await client.send(.get, "/v1/agents/00000000-0000-0000-0000-000000000000", as: intruder)
            #expect(unknown.isProblem(.notFound))
            // The problem for another tenant's id is exactly the one for an id that does not exist.
            let foreign = try await client.send(.get, "/v1/agents/\(id)", as: intruder)
            #expect(foreign.text == unknown.text)
            let after = try await client.send(.get, "/v1/agents/\(id)", as: owner)
            #expect(try after.decode(Schemas.Agent.self).name == "Mine")
        }
    }
}
