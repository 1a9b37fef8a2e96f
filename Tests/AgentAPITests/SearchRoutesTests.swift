import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import Testing

@Suite(.oneDatabase) struct SearchRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    /// A query string value, percent-encoded.
    func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }

    /// An agent of `owner` with a conversation of the given messages; its id.
    func makeAgent(
        _ client: any TestClientProtocol, _ owner: Tenant, conversation: String, title: String? = nil, _ messages: [String]
    ) async throws -> String {
        let agentID = try await client.createAgent(as: owner)
        let base = "/v1/agents/\(agentID)/conversations"
        if let title {
            #expect(try await client.send(.post, base, as: owner, json: ["id": conversation, "title": title]).status == .created)
        }
        for content in messages {
            let sent = try await client.send(
                .post, "\(base)/\(conversation)/messages", as: owner, json: ["role": "user", "content": content])
            #expect(sent.status == .created)
        }
        return agentID
    }

    @Test func searchesOnlyTheTenantsOwnConversations() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test { client async throws in
            let agentID = try await makeAgent(
                client, owner, conversation: "trip", title: "Trip to Lisbon",
                ["Book the Lisbon hotel near the river", "Pack <script>alert(1)</script> sunscreen for Lisbon"])
            let otherAgent = try await makeAgent(
                client, other, conversation: "trip", ["Lisbon is where the other tenant hides its gold"])

            let response = try await client.send(.get, "/v1/search?q=\(encoded("lisbon"))", as: owner)
            #expect(response.status == .ok)
            let results = try response.decode(Schemas.SearchResults.self)
            #expect(results.data.count == 3)
            #expect(!results.hasMore && results.nextCursor == nil)
            #expect(results.data.allSatisfy { $0.agentId == agentID })
            let title = try #require(results.data.first)
            #expect(title.kind == .conversation && title.conversationId == "trip" && title.messageId == nil && title.role == nil)
            #expect(title.conversationTitle == "Trip to Lisbon")
            #expect(title.snippet.map(\.text).joined() == "Trip to Lisbon")
            #expect(title.snippet.filter(\.highlighted).map(\.text) == ["Lisbon"])
            let messages = results.data.dropFirst()
            #expect(messages.allSatisfy { $0.kind == .message && $0.role == "user" && $0.messageId != nil })
            // Snippets are plain text in parts, never markup.
            #expect(!response.text.contains("<script>") && !response.text.contains("<b>"))

            // The other tenant finds its own message only, for the very same words.
            let theirs = try await client.send(.get, "/v1/search?q=\(encoded("lisbon hotel"))", as: other)
            #expect(try theirs.decode(Schemas.SearchResults.self).data.isEmpty)
            let gold = try await client.send(.get, "/v1/search?q=gold", as: other).decode(Schemas.SearchResults.self)
            // Its message, and its conversation titled after that message.
            #expect(gold.data.map(\.agentId) == [otherAgent, otherAgent])
            #expect(try await client.send(.get, "/v1/search?q=gold", as: owner).decode(Schemas.SearchResults.self).data.isEmpty)

            // Another tenant's agent as a filter is not found, as everywhere else.
            #expect(try await client.send(.get, "/v1/search?q=lisbon&agent_id=\(otherAgent)", as: owner).isProblem(.notFound))
            let filtered = try await client.send(.get, "/v1/search?q=lisbon&agent_id=\(agentID)", as: owner)
            #expect(try filtered.decode(Schemas.SearchResults.self).data.count == 3)
            #expect(try await client.send(.get, "/v1/search?q=lisbon", as: nil).isProblem(.unauthorized))
        }
    }

    /// A query string as URL libraries and GET forms write it, a space as `+`, searches the words; a
    /// conversation id with a space names it in `after` however the space is written.
    @Test func aPlusInTheQueryStringIsASpace() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await makeAgent(
                client, owner, conversation: "my chat", ["Deploy the Lisbon release", "Deploy elsewhere"])
            for q in ["deploy+lisbon", "deploy%20lisbon"] {
                let results = try (try await client.send(.get, "/v1/search?q=\(q)", as: owner)).decode(Schemas.SearchResults.self)
                // The message, and the conversation's title taken from it.
                let found = results.data.filter { $0.kind == .message }.map { $0.snippet.map(\.text).joined() }
                #expect(found == ["Deploy the Lisbon release"], "\(q)")
            }
            // `C++` written as a form writes it keeps its pluses.
            let plus = try await client.send(.get, "/v1/search?q=C%2B%2B", as: owner)
            #expect(plus.status == .ok)
            _ = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/zz/messages", as: owner, json: ["role": "user", "content": "later"])
            for after in ["my+chat", "my%20chat"] {
                let page = try await client.send(.get, "/v1/agents/\(agentID)/conversations?order=asc&after=\(after)", as: owner)
                #expect(page.status == .ok, "\(after)")
                #expect(try page.decode(Schemas.ConversationPage.self).data.map(\.id) == ["zz"], "\(after)")
            }
        }
    }

    /// A query that only leaves words out matches no words: it finds nothing, as a web search engine does,
    /// rather than every message of the tenant that lacks them.
    @Test func aQueryThatOnlyExcludesFindsNothing() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            _ = try await makeAgent(client, owner, conversation: "c", ["A rocket launch", "A quiet harbour"])
            for q in ["-rocket", "-rocket -launch", "-(rocket)"] {
                let response = try await client.send(.get, "/v1/search?q=\(encoded(q))", as: owner)
                #expect(response.status == .ok)
                #expect(try response.decode(Schemas.SearchResults.self).data.isEmpty, "\(q)")
            }
            let mixed = try await client.send(.get, "/v1/search?q=\(encoded("quiet -rocket"))", as: owner)
            #expect(try mixed.decode(Schemas.SearchResults.self).data.count == 1)
        }
    }

    /// Over a socket: the cursor makes the round trip through a real query string.
    @Test func pagesFollowNextCursor() async throws {
        let owner = try await api.makeUser()
        try await api.test(.live) { client async throws in
            _ = try await makeAgent(
                client, owner, conversation: "notes", title: "Weekly notes", (0..<12).map { "note \($0) about the harbour" })
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "/v1/search?q=harbour&limit=5" + (cursor.map { "&cursor=\(encoded($0))" } ?? "")
                let response = try await client.send(.get, query, as: owner)
                #expect(response.status == .ok)
                let page = try response.decode(Schemas.SearchResults.self)
                #expect(page.hasMore == (page.nextCursor != nil))
                seen += page.data.compactMap(\.messageId)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen.count == 12 && Set(seen).count == 12)

            // A cursor of another search is a 422 naming it, as is a token that is no cursor; one not even
            // spelled as a token (unpadded base64url), a 400.
            let first = try await client.send(.get, "/v1/search?q=harbour&limit=5", as: owner).decode(Schemas.SearchResults.self)
            let next = try #require(first.nextCursor)
            let foreign = try await client.send(.get, "/v1/search?q=notes&cursor=\(encoded(next))", as: owner)
            #expect(foreign.isProblem(.unprocessableContent))
            #expect(try foreign.problemField() == "cursor")
            let garbage = try await client.send(.get, "/v1/search?q=harbour&cursor=garbage", as: owner)
            #expect(garbage.isProblem(.unprocessableContent))
            #expect(try garbage.problemField() == "cursor")
            let misspelled = try await client.send(.get, "/v1/search?q=harbour&cursor=no%20cursor", as: owner)
            #expect(misspelled.isProblem(.badRequest))
            #expect(try misspelled.problemField() == "cursor")
        }
    }

    @Test func refusesBadParametersWithProblems() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            for (query, status, field) in [
                ("", HTTPResponse.Status.unprocessableContent, "q"),
                ("?q=", .unprocessableContent, "q"),
                ("?q=%20%20", .unprocessableContent, "q"),
                ("?q=\(String(repeating: "a", count: 201))", .unprocessableContent, "q"),
                ("?q=a%00b", .unprocessableContent, "q"),
                ("?q=a&limit=0", .badRequest, "limit"),
                ("?q=a&limit=101", .badRequest, "limit"),
                ("?q=a&agent_id=\(String(repeating: "x", count: 201))", .badRequest, "agent_id"),
                ("?q=a&cursor=%25%25", .badRequest, "cursor"),
            ] {
                let response = try await client.send(.get, "/v1/search\(query)", as: owner)
                #expect(response.isProblem(status), "\(query)")
                #expect(try response.problemField() == field, "\(query)")
            }
            #expect(try await client.send(.get, "/v1/search?q=a&agent_id=nothing", as: owner).isProblem(.notFound))
            // 200 characters are allowed, and odd syntax is words, never an error.
            for q in [String(repeating: "a", count: 200), "\"", "-", "OR", "a & !b", "(", "日本語", "🙂"] {
                let response = try await client.send(.get, "/v1/search?q=\(encoded(q))", as: owner)
                #expect(response.status == .ok, "\(q)")
                #expect(try response.decode(Schemas.SearchResults.self).data.isEmpty)
            }
        }
    }
}
