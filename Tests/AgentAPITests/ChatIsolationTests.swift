import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OpenAPIRuntime
import ProviderEmulator
import Testing

/// Another tenant's agent, message or conversation is not found on every route that chat added, and no
/// answer of any of them carries a key.
@Suite(.oneDatabase) struct ChatIsolationTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test func anotherTenantsAgentMessageAndConversationAreNotFound() async throws {
        let owner = try await api.makeUser("owner")
        let intruder = try await api.makeUser("intruder")
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let exchange = try Exchange.decode(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "mine", "stream": false]).text)
                let replyID = exchange.reply.id
                let base = "/v1/agents/\(chat.agentID)/conversations"
                // The intruder's own agent, linked to a working key, cannot reach the owner's messages either.
                let own = try await ChatFixture.make(client, intruder, baseURLs: [baseURL])
                let requests: [(HTTPRequest.Method, String, [String: Any]?)] = [
                    (.post, chat.replies("c1"), ["content": "hi"]),
                    (.post, chat.replies("c1"), ["content": "hi", "stream": false]),
                    (.post, base, ["title": "mine now"]),
                    (.get, "\(base)/c1", nil),
                    (.get, "\(base)/c1/messages", nil),
                    (.delete, "\(base)/c1", nil),
                    (.get, "/v1/messages/\(replyID)", nil),
                    (.post, "/v1/messages/\(replyID)/regenerate", nil),
                    (.post, "/v1/messages/\(replyID)/cancel", nil),
                    (.get, "/v1/messages/\(replyID)/stream", nil),
                    (.post, own.replies("c1"), ["content": "hi", "parent_id": replyID]),
                ]
                for (method, path, body) in requests {
                    let response = try await client.send(method, path, as: intruder, json: body)
                    let expected: HTTPResponse.Status =
                        path.hasPrefix("/v1/agents/\(own.agentID)") ? .unprocessableContent : .notFound
                    #expect(response.isProblem(expected), "\(method) \(path): \(response.status)")
                }
                let completion = try await client.send(
                    .post, "/v1/chat/completions", as: intruder,
                    json: ["model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "hi"]]])
                #expect(completion.status == .notFound)
                #expect(try completion.decode(Schemas.OpenAIError.self).error._type == "invalid_request_error")
                let models = try await client.send(.get, "/v1/models", as: intruder).decode(Schemas.ModelList.self)
                let ids = models.data.map(\.id)
                #expect(ids == ["agent:\(own.agentID)"])
                #expect(models.data.map(\.name) == ["chat"])  // the agent's name, as created
                // Another tenant's agent is no model of the intruder's, by name either; its own is.
                let retrieved = try await client.send(.get, "/v1/models/agent:\(chat.agentID)", as: intruder)
                #expect(retrieved.status == .notFound)
                #expect(try retrieved.decode(Schemas.OpenAIError.self).error.code == "model_not_found")
                let ownModel = try await client.send(.get, "/v1/models/agent%3A\(own.agentID)", as: intruder)
                #expect(try ownModel.decode(Schemas.Model.self).id == "agent:\(own.agentID)")
                #expect(try ownModel.decode(Schemas.Model.self).name == "chat")
                // The owner's conversation is untouched, and the intruder's ledger holds nothing of the owner's.
                #expect(try await client.send(.get, "\(base)/c1/messages", as: owner).status == .ok)
                let usage = try await client.send(.get, "/v1/usage?group_by=agent", as: intruder).decode(Schemas.UsageReport.self)
                #expect(usage.data.allSatisfy { $0.key != chat.agentID })
                // The ledger call by call: the owner's reply is its call, the intruder's list holds none of it.
                let calls = try await client.send(.get, "/v1/usage/calls", as: owner).decode(Schemas.ProviderCallPage.self)
                let call = try #require(calls.data.first { $0.messageId == replyID })
                #expect(call.status == .complete && call.attempt == 1 && call.agentId == chat.agentID)
                #expect(call.connectionId == chat.connectionIDs.first && call.completionTokens > 0)
                let theirs = try await client.send(.get, "/v1/usage/calls", as: intruder).decode(Schemas.ProviderCallPage.self)
                #expect(theirs.data.allSatisfy { $0.agentId != chat.agentID })
            }
        }
    }

    /// Neither the connection's key nor the tenant's token appears in an answer, or in any line the
    /// platform logs meanwhile (requests and replies at trace level, a refused key and a fallback among them).
    @Test func noAnswerOrLogLineCarriesASecret() async throws {
        let log = CapturedLog()
        let api = try await TestAPI.make(replyLogger: log.logger(level: .trace))
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live, logger: log.logger(level: .trace)) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=401", baseURL])
                var bodies: [String] = []
                bodies.append(try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "hi"]).text)
                bodies.append(
                    try await client.send(
                        .post, "/v1/chat/completions", as: owner,
                        json: ["model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "hi"]]]
                    ).text)
                bodies.append(try await client.send(.get, "/v1/audit-log", as: owner).text)
                bodies.append(try await client.send(.get, "/v1/connections", as: owner).text)
                bodies.append(try await client.send(.get, "/v1/me/export", as: owner).text)
                for body in bodies { SecretCheck.expectAbsent(ChatFixture.apiKey, in: body) }
                // Each opening of a key is audited with its purpose.
                let audit = try await client.send(.get, "/v1/audit-log", as: owner).text
                #expect(audit.contains("connection.opened"))
                let openings = try await client.send(.get, "/v1/audit-log?limit=100", as: owner)
                    .decode(Schemas.AuditEntryPage.self).data.filter { $0.action == "connection.opened" }
                let purposes = openings.compactMap { $0.details?.additionalProperties.value["purpose"] as? String }
                #expect(!openings.isEmpty && purposes.count == openings.count, "every opening says why")
                #expect(Set(purposes).isSubset(of: ["reply", "completion"]) && purposes.contains("reply"))
                // A key the provider refuses, and one after an overload in the stream: failures logged.
                let refused = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=401"])
                _ = try await client.send(.post, refused.replies("c2"), as: owner, json: ["content": "hi", "stream": false])
                let overloaded = try await ChatFixture.make(
                    client, owner, baseURLs: ["\(baseURL)/script/error_after=0", baseURL], service: "anthropic")
                _ = try await client.send(.post, overloaded.replies("c3"), as: owner, json: ["content": "hi"])
            }
        }
        let lines = log.lines
        #expect(lines.count > 10)
        for line in lines {
            SecretCheck.expectAbsent(ChatFixture.apiKey, owner.token, in: line)
        }
    }
}

/// Conversations as resources: server-generated ids and titles, client-chosen ids percent-decoded, limits
/// stated, and 404 for an unknown conversation on every method.
@Suite(.oneDatabase) struct ConversationResourceTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test func conversationsAreCreatedTitledAndFound() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let agent = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "a", "system_prompt": "p"])
            let base = "/v1/agents/\(try agent.decode(Schemas.Agent.self).id)/conversations"
            let created = try await client.send(.post, base, as: owner, json: ["title": "Trip planning"])
            #expect(created.status == .created)
            let conversation = try created.decode(Schemas.Conversation.self)
            let id = conversation.id
            #expect(conversation.title == "Trip planning" && conversation.messageCount == 0)
            // Present and null: the schema lists `last_message` as optional, so the type cannot tell null from absent.
            #expect(conversation.lastMessage == nil && created.text.contains(#""last_message":null"#))
            #expect(try await client.send(.get, "\(base)/\(id)", as: owner).status == .ok)
            #expect(try await client.send(.get, "\(base)/\(id)/messages", as: owner).status == .ok)

            // Untitled: the first message names it.
            let untitled = try await client.send(.post, base, as: owner, json: [:]).decode(Schemas.Conversation.self).id
            _ = try await client.send(
                .post, "\(base)/\(untitled)/messages", as: owner, json: ["role": "user", "content": "Where to eat?\nmore"])
            #expect(
                try await client.send(.get, "\(base)/\(untitled)", as: owner).decode(Schemas.Conversation.self).title
                    == "Where to eat?")

            // A client-chosen id, percent-encoded in the path, is the decoded id.
            let posted = try await client.send(
                .post, "\(base)/my%20chat/messages", as: owner, json: ["role": "user", "content": "x"])
            #expect(try posted.decode(Schemas.Message.self).conversationId == "my chat")
            #expect(try await client.send(.get, "\(base)/my%20chat/messages", as: owner).ids(Schemas.MessagePage.self).count == 1)
            let listed = try await client.send(.get, base, as: owner).ids(Schemas.ConversationPage.self)
            #expect(listed.contains("my chat"))
            let taken = try await client.send(.post, base, as: owner, json: ["id": "my chat"])
            #expect(taken.isProblem(.conflict) && (try? taken.problemField()) == "id", "the body's member")

            // Unknown: 404 on every method; too long: a 422 that says so.
            for method in [HTTPRequest.Method.get, .delete] {
                #expect(try await client.send(method, "\(base)/nope", as: owner).isProblem(.notFound))
            }
            #expect(try await client.send(.get, "\(base)/nope/messages", as: owner).isProblem(.notFound))
            let long = String(repeating: "x", count: 201)
            let tooLong = try await client.send(
                .post, "\(base)/\(long)/messages", as: owner, json: ["role": "user", "content": "x"])
            #expect(tooLong.isProblem(.unprocessableContent))
            #expect(try tooLong.problemField() == "conversation_id")
            #expect(try await client.send(.get, "\(base)/\(long)/messages", as: owner).isProblem(.unprocessableContent))
            // A path step is no name: no link could name it (browsers take the step before sending).
            for step in ["%2E", "%2E%2E"] {
                let stepped = try await client.send(
                    .post, "\(base)/\(step)/messages", as: owner, json: ["role": "user", "content": "x"])
                #expect(stepped.isProblem(.unprocessableContent), "\(step)")
                #expect(try stepped.problemField() == "conversation_id")
            }
            #expect(try await client.send(.post, base, as: owner, json: ["id": ".."]).isProblem(.unprocessableContent))
            // Deleting an empty conversation works, then it is gone.
            #expect(try await client.send(.delete, "\(base)/\(id)", as: owner).status == .noContent)
            #expect(try await client.send(.get, "\(base)/\(id)", as: owner).isProblem(.notFound))
        }
    }

    @Test func chatBaseURLsMustBePublicUnlessAllowed() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            for baseURL in [
                "http://10.0.0.7", "http://169.254.169.254", "http://[::1]:9", "ftp://example.com", "http://u:p@example.com",
            ] {
                let refused = try await client.send(
                    .post, "/v1/connections", as: owner,
                    json: ["name": "n", "service": "openai", "api_key": "sk-x", "metadata": ["base_url": baseURL]])
                #expect(refused.isProblem(.unprocessableContent), "\(baseURL)")
                #expect(try refused.problemField() == "metadata.base_url")
            }
            // A chat provider's name in another case would never answer: refused, naming the spelling.
            for service in ["OpenAI", "ANTHROPIC"] {
                let miscased = try await client.send(
                    .post, "/v1/connections", as: owner, json: ["name": "n", "service": service, "api_key": "sk-x"])
                #expect(miscased.isProblem(.unprocessableContent), "\(service)")
                #expect(try miscased.problemField() == "service")
                #expect(try miscased.problem().errors?.first?.reason.contains(service.lowercased()) == true)
            }
            // A private address says which setting would allow it.
            let privateHost = try await client.send(
                .post, "/v1/connections", as: owner,
                json: ["name": "n", "service": "openai", "api_key": "sk-x", "metadata": ["base_url": "http://10.0.0.7"]])
            let privateReason = try #require(try privateHost.problem().errors?.first?.reason)
            #expect(privateReason.contains("PROVIDER_ALLOWED_HOSTS"), "\(privateHost.text)")
            // A name that does not resolve is refused in the same words, so that no answer tells a tenant
            // which names resolve inside the platform's network.
            let unresolved = try await client.send(
                .post, "/v1/connections", as: owner,
                json: [
                    "name": "n", "service": "openai", "api_key": "sk-x", "metadata": ["base_url": "http://nonexistent.invalid"],
                ])
            #expect(unresolved.isProblem(.unprocessableContent), "\(unresolved.text)")
            let unresolvedReason = try #require(try unresolved.problem().errors?.first?.reason)
            #expect(
                unresolvedReason.replacingOccurrences(of: "nonexistent.invalid", with: "10.0.0.7") == privateReason)
            // Loopback is allowed for the tests (PROVIDER_ALLOWED_HOSTS); other services are not checked.
            for (service, baseURL) in [("openai", "http://127.0.0.1:9"), ("search", "http://10.0.0.7")] {
                let created = try await client.send(
                    .post, "/v1/connections", as: owner,
                    json: ["name": "n", "service": service, "api_key": "sk-x", "metadata": ["base_url": baseURL]])
                #expect(created.status == .created)
                let id = try created.decode(Schemas.Connection.self).id
                if service == "openai" {
                    let changed = try await client.send(
                        .patch, "/v1/connections/\(id)", as: owner, json: ["metadata": ["base_url": "http://192.168.1.1"]])
                    #expect(changed.isProblem(.unprocessableContent))
                }
            }
        }
    }
}
