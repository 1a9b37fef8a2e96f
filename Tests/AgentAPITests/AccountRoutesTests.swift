import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/v1/me`, its export and deletion, and the audit log.
@Suite(.oneDatabase) struct AccountRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    /// `updateMe`: the user corrects their email or name with an admin token; a token of less is 403, an email
    /// of null a 400, a malformed one a 422, a member the operation does not name a 400.
    @Test func theUserCorrectsTheirEmailAndNameWithAnAdminToken() async throws {
        let owner = try await api.makeUser()
        let writer = Tenant(
            id: owner.id,
            token: try await api.db.store.withTenant(owner.id) { try await $0.createToken(name: "w", scopes: [.read, .write]) }
                .value)
        try await api.test { client in
            let corrected = try await client.send(
                .patch, "/v1/me", as: owner, json: ["email": "corrected@example.test", "display_name": "Corrected"])
            let user = try corrected.decode(Schemas.User.self)
            #expect(user.email == "corrected@example.test" && user.displayName == "Corrected", "\(corrected.text)")
            let cleared = try await client.send(.patch, "/v1/me", as: owner, json: ["display_name": nil as String?])
            #expect(try cleared.decode(Schemas.User.self).displayName == nil)
            #expect(try await client.send(.patch, "/v1/me", as: writer, json: ["display_name": "W"]).isProblem(.forbidden))
            let null = try await client.send(.patch, "/v1/me", as: owner, json: ["email": nil as String?])
            #expect(null.isProblem(.badRequest), "\(null.text)")
            #expect(try null.problemField() == "email")
            let malformed = try await client.send(.patch, "/v1/me", as: owner, json: ["email": "nobody"])
            #expect(malformed.isProblem(.unprocessableContent))
            #expect(try malformed.problemField() == "email")
            #expect(try await client.send(.patch, "/v1/me", as: owner, json: ["nickname": "x"]).isProblem(.badRequest))
            #expect(try await client.send(.get, "/v1/me", as: owner).decode(Schemas.User.self).email == "corrected@example.test")
        }
    }

    /// Gives `tenant` an agent with a connection, a two-message conversation and feedback; returns all ids.
    func populate(_ client: any TestClientProtocol, _ tenant: Tenant, messages: Int = 2) async throws -> Set<String> {
        var ids: Set<String> = []
        let agentID = try await client.createAgent(as: tenant)
        let connection = try await client.send(
            .post, "/v1/connections", as: tenant, json: ["name": "c", "service": "s", "api_key": "sk-abcdefghijklmnop"])
        let connectionID = try connection.decode(Schemas.Connection.self).id
        ids.formUnion([agentID, connectionID])
        let link = try await client.send(.put, "/v1/agents/\(agentID)/connections/\(connectionID)", as: tenant)
        #expect((200..<300).contains(link.status.code))
        for index in 0..<messages {
            let message = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/conv/messages", as: tenant,
                json: ["role": "user", "content": "m\(index)"])
            let messageID = try message.decode(Schemas.Message.self).id
            ids.insert(messageID)
            let feedback = try await client.send(.put, "/v1/messages/\(messageID)/feedback", as: tenant, json: ["rating": 1])
            ids.insert(try feedback.decode(Schemas.Feedback.self).id)
        }
        return ids
    }

    /// The id of everything an export holds.
    func allIDs(_ export: Schemas.Export) -> Set<String> {
        var ids: Set = [export.user.id]
        ids.formUnion(export.agents.map(\.id))
        ids.formUnion(export.connections.map(\.id))
        ids.formUnion(export.tokens.map(\.id))
        for conversation in export.conversations {
            ids.insert(conversation.id)
            if let last = conversation.lastMessage?.value1 { ids.insert(last.id) }
            ids.formUnion(conversation.messages.map(\.id))
        }
        ids.formUnion(export.feedback.map(\.id))
        ids.formUnion(export.auditLog.map(\.id))
        return ids
    }

    @Test func exportHoldsExactlyTheUsersData() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test(.live) { client async throws in
            let mine = try await populate(client, owner, messages: 150)
            let theirs = try await populate(client, other)
            let response = try await client.send(.get, "/v1/me/export", as: owner)
            #expect(response.status == .ok)
            #expect(response.headers[.contentDisposition] == #"attachment; filename="agent-platform-export.json""#)
            let document = try response.decode(Schemas.Export.self)
            #expect(document.user.id == owner.id.rawValue)
            let exported = allIDs(document)
            #expect(mine.isSubset(of: exported))
            #expect(exported.isDisjoint(with: theirs))
            #expect(!exported.contains(other.id.rawValue))
            #expect(document.conversations.first?.messages.count == 150)
            #expect(document.feedback.count == 150)
            #expect(document.agents.count == 1 && document.connections.count == 1)
            // The link is exported, between the two ids it joins.
            #expect(document.agentConnections.map(\.agentId) == document.agents.map(\.id))
            #expect(document.agentConnections.map(\.connectionId) == document.connections.map(\.id))
            #expect(!document.tokens.isEmpty && !document.auditLog.isEmpty)
            #expect(!response.text.contains("sk-abcdefghijklmnop"))
        }
    }

    /// The document's layout, byte for byte where it does not depend on ids and times: every array present,
    /// empty ones as `[]`, a conversation's messages inside it.
    @Test func exportLayoutIsStable() async throws {
        let owner = try await api.makeUser("owner")
        try await api.test(.live) { client async throws in
            let empty = try await client.send(.get, "/v1/me/export", as: owner).text
            #expect(empty.hasPrefix(#"{"user":{"id":"\#(owner.id.rawValue)""#))
            #expect(empty.contains(#"},"agents":[],"connections":[],"agent_connections":[],"tokens":[{"#))
            // Never an empty log: the token's creation and this export are audited.
            #expect(empty.contains(#"}],"conversations":[],"feedback":[],"provider_calls":[],"audit_log":[{"#))
            #expect(empty.hasSuffix(#"}]}"#))
            _ = try await populate(client, owner, messages: 2)
            let full = try await client.send(.get, "/v1/me/export", as: owner).text
            #expect(full.contains(#","messages":[{"#))
            #expect(full.contains(#"}],"agent_connections":[{"agent_id":""#))
            #expect(full.contains(#"}]}],"feedback":[{"#))
        }
    }

    /// Exports are bounded per process: with one slot, a download held open by a client that stopped
    /// reading makes another tenant's export a 503 with `Retry-After`, and the same account's a 429
    /// `export-running` (one at a time, so that one tenant cannot hold every slot); once that client goes,
    /// exports run again.
    @Test func concurrentExportsAreBounded() async throws {
        let api = try await TestAPI.make(maximumConcurrentExports: 1)
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        // 30 MB: more than the kernel and the server buffer, so the held export waits for its reader.
        _ = try await LargeMessages.make(api, owner, count: 30)
        try await api.test(.live) { client async throws in
            try await HeldExport.whileHeld(port: try #require(client.port), token: owner.token) {
                let refused = try await client.send(.get, "/v1/me/export", as: other)
                #expect(refused.isProblem(.serviceUnavailable))
                #expect(refused.headers[.retryAfter] == "5")
                let running = try await client.send(.get, "/v1/me/export", as: owner)
                #expect(running.isProblem(.tooManyRequests))
                #expect(running.headers[.retryAfter] == "5")
                #expect(try running.problem()._type.hasSuffix("/export-running"))
                // Other requests are served meanwhile.
                #expect(try await client.send(.get, "/v1/me", as: owner).status == .ok)
            }
            // The held download is gone, and with it its slot (once the server notices): the other tenant's
            // export runs (small: the owner's 30 MB through the test client could outlast its 20 s).
            var status: HTTPResponse.Status = .serviceUnavailable
            let deadline = ContinuousClock.now + .seconds(20)
            while status == .serviceUnavailable, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                status = try await client.send(.get, "/v1/me/export", as: other).status
            }
            #expect(status == .ok)
        }
    }

    /// An export past its time limit ends, truncated, however its client reads, and gives back its slot.
    @Test func anExportPastItsTimeLimitIsCutOff() async throws {
        let api = try await TestAPI.make(maximumConcurrentExports: 1, longestExport: .zero)
        let owner = try await api.makeUser("owner")
        try await api.test(.live) { client async throws in
            _ = try await client.createAgent(as: owner)
            let port = try #require(client.port)
            let request = "GET /v1/me/export HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(owner.token)\r\n\r\n"
            for _ in 0..<2 {
                let answer = try await RawConnection.sendThenReadUntilClose(port: port, request, limit: .seconds(30))
                #expect(answer.hasPrefix("HTTP/1.1 200"))
                // The chunked body never got its last chunk: the document is not whole.
                #expect(!answer.hasSuffix("0\r\n\r\n") && !answer.contains("\"audit_log\""))
            }
        }
    }

    @Test func meShowsAndDeletesTheUser() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test { client async throws in
            let me = try await client.send(.get, "/v1/me", as: owner)
            #expect(try me.decode(Schemas.User.self).id == owner.id.rawValue)
            _ = try await populate(client, owner)
            let theirs = try await populate(client, other)
            #expect(try await client.send(.delete, "/v1/me", as: owner).status == .noContent)
            // The user, and with them their tokens, are gone.
            #expect(try await client.send(.get, "/v1/me", as: owner).isProblem(.unauthorized))
            // The other tenant is untouched.
            let export = try await client.send(.get, "/v1/me/export", as: other)
            #expect(theirs.isSubset(of: allIDs(try export.decode(Schemas.Export.self))))
        }
        let remaining = try await api.db.store.withTenant(owner.id) { try await $0.currentUserIfExists() }
        #expect(remaining == nil)
    }

    @Test func auditLogRecordsSensitiveOperationsWithTheRequestID() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test { client async throws in
            var headers = owner.jsonAuth
            headers[.init("X-Request-Id")!] = "audit-check-42"
            let body = ByteBuffer(string: #"{"name": "c", "service": "s", "api_key": "sk-abcdefghijklmnop"}"#)
            let created = try await client.exchange(.post, "/v1/connections", headers: headers, body: body)
            #expect(created.headers[.init("X-Request-Id")!] == "audit-check-42")
            let log = try await client.send(.get, "/v1/audit-log", as: owner)
            #expect(log.status == .ok)
            let entries = try log.decode(Schemas.AuditEntryPage.self).data
            #expect(entries.first?.action == "connection.created")
            #expect(entries.first?.requestId == "audit-check-42")
            // The other tenant sees only its own entries (its token's creation), none of these.
            let theirs = try await client.send(.get, "/v1/audit-log", as: other).decode(Schemas.AuditEntryPage.self).data
            #expect(!theirs.isEmpty && theirs.allSatisfy { $0.action == "token.created" })
            #expect(Set(theirs.map(\.id)).isDisjoint(with: entries.map(\.id)))
            // One action's entries, paged by cursor within it; an action the log does not record is a 400.
            let tokens = try await client.send(.get, "/v1/audit-log?action=token.created&limit=1", as: owner)
                .decode(Schemas.AuditEntryPage.self)
            #expect(tokens.data.map(\.action) == ["token.created"] && entries.contains { $0.action == "connection.created" })
            let none = try await client.send(.get, "/v1/audit-log?action=agent.deleted", as: owner).decode(
                Schemas.AuditEntryPage.self)
            #expect(none.data.isEmpty)
            let unknown = try await client.send(.get, "/v1/audit-log?action=agent.exploded", as: owner)
            #expect(unknown.isProblem(.badRequest))
            #expect(try unknown.problemField() == "action")
        }
    }

    @Test func agentsLinksAndConversationDeletionsAreAudited() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await client.createAgent(as: owner)
            _ = try await client.send(.patch, "/v1/agents/\(agentID)", as: owner, json: ["name": "b"])
            let connection = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "c", "service": "s", "api_key": "sk-abcdefghijklmnop"])
            let connectionID = try connection.decode(Schemas.Connection.self).id
            _ = try await client.send(.put, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner)
            _ = try await client.send(.delete, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner)
            _ = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/c1/messages", as: owner, json: ["role": "user", "content": "x"])
            _ = try await client.send(.delete, "/v1/agents/\(agentID)/conversations/c1", as: owner)
            let actions = try await client.send(.get, "/v1/audit-log?limit=100", as: owner).decode(Schemas.AuditEntryPage.self)
                .data.map(\.action)
            for action in [
                "agent.created", "agent.updated", "connection.linked", "connection.unlinked", "conversation.deleted",
            ] {
                #expect(actions.contains(action), "\(action)")
            }
        }
    }
}
