import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// No input, however malformed, gets a 500, a crash or a hang; each gets its own problem.
@Suite(.oneDatabase) struct BadInputTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    static let bodies: [(String, [UInt8])] = [
        ("wrong types", Array(#"{"name": 5, "system_prompt": ["x"]}"#.utf8)),
        ("huge exponent", Array(#"{"name": "a", "system_prompt": "x", "temperature": 1e400}"#.utf8)),
        ("huge integer", Array(#"{"name": "a", "system_prompt": "x", "max_tokens": 99999999999999999999}"#.utf8)),
        ("NUL in string", Array(#"{"name": "a\u0000b", "system_prompt": "x"}"#.utf8)),
        ("raw NUL byte", Array(#"{"name": "a"#.utf8) + [0] + Array(#"", "system_prompt": "x"}"#.utf8)),
        ("invalid UTF-8", Array(#"{"name": ""#.utf8) + [0xFF, 0xFE, 0xC3] + Array(#"", "system_prompt": "x"}"#.utf8)),
        ("deep arrays", Array(repeating: UInt8(ascii: "["), count: 100_000)),
        (
            "deep metadata",
            Array(#"{"name": "a", "system_prompt": "x", "metadata": "#.utf8)
                + Array(repeating: UInt8(ascii: "["), count: 5_000) + Array(repeating: UInt8(ascii: "]"), count: 5_000) + [
                    UInt8(ascii: "}")
                ]
        ),
        ("not JSON", Array("name=a".utf8)),
        ("empty", []),
        ("array", Array("[]".utf8)),
        ("null", Array("null".utf8)),
        ("truncated", Array(#"{"name": "#.utf8)),
    ]

    @Test(arguments: bodies.indices)
    func malformedBodiesAreClientErrors(_ index: Int) async throws {
        let (label, bytes) = Self.bodies[index]
        let owner = try await api.makeUser()
        try await api.test(.live) { client async throws in
            // (Token creation accepts no body at all, so it is not among these.)
            let agentID = try await client.createAgent(as: owner)
            let targets: [(HTTPRequest.Method, String)] = [
                (.post, "/v1/agents"), (.post, "/v1/connections"), (.patch, "/v1/agents/\(agentID)"),
                (.post, "/v1/agents/\(agentID)/conversations/c1/messages"),
            ]
            for (method, uri) in targets {
                let response = try await client.sendRaw(method, uri, as: owner, bytes: bytes)
                #expect((400..<500).contains(response.status.code), "\(label) \(uri): \(response.status)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(label) \(uri)")
            }
        }
    }

    /// A body that breaks HTTP itself (a chunk size that is no number) is the client's error: a 400, and
    /// nothing logged as a server failure. (A client that hangs up halfway through its body ends the same way.)
    @Test func aMalformedChunkedBodyIsAClientError() async throws {
        let answer = try await answerOverASocket { token in
            "POST /v1/agents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"nam\r\nzz\r\n"
        }
        #expect(!answer.hasPrefix("HTTP/1.1 5"), "\(answer.prefix(200))")
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
    }

    /// A transfer coding the server does not read is a 501 before any handler runs (RFC 9112, 6.1): a bodyless
    /// request carrying one was answered as if it had none, and a proxy that frames it otherwise would see
    /// another request where the server sees a body.
    @Test func anUnknownTransferCodingIsRefused() async throws {
        let answer = try await answerOverASocket { token in
            "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n"
                + "Transfer-Encoding: xchunked\r\n\r\nGET /v1/agents HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        }
        #expect(answer.hasPrefix("HTTP/1.1 501"), "\(answer.prefix(200))")
        #expect(answer.contains("unsupported-transfer-coding"), "\(answer.prefix(400))")
        #expect(!answer.contains("HTTP/1.1 200"), "\(answer.prefix(400))")
    }

    /// The server's answer to bytes no HTTP client sends, written with a new user's token over a socket of
    /// their own; a client's error, so nothing is logged as the server's failure.
    private func answerOverASocket(_ request: (String) -> String) async throws -> String {
        let owner = try await api.makeUser()
        let text = request(owner.token)
        let log = CapturedLog()
        let answer = try await api.test(.live, logger: log.logger(level: .info)) { client async throws in
            try await RawConnection.sendThenReadUntilClose(port: try #require(client.port), text, limit: .seconds(10))
        }
        #expect(!log.lines.contains { $0.hasPrefix("error") }, "\(log.lines)")
        return answer
    }

    /// A field no operation names is refused with a 400 that names it, instead of being silently dropped
    /// (a misspelt `max_token` would otherwise look like success).
    @Test func unknownFieldsAre400NamingTheField() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await client.createAgent(as: owner)
            let connectionID = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "c", "service": "s", "api_key": "sk-0123456789"]
            )
            .decode(Schemas.Connection.self).id
            let messageID = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/c1/messages", as: owner, json: ["role": "user", "content": "m"]
            )
            .decode(Schemas.Message.self).id
            let targets: [(HTTPRequest.Method, String, [String: Any])] = [
                (.post, "/v1/agents", ["name": "a", "system_prompt": "x", "max_token": 5]),
                (.patch, "/v1/agents/\(agentID)", ["nmae": "b"]),
                (.post, "/v1/connections", ["name": "c", "service": "s", "api_key": "k", "apiKey": "k"]),
                (.patch, "/v1/connections/\(connectionID)", ["secret": "k"]),
                (
                    .post, "/v1/agents/\(agentID)/conversations/c1/messages",
                    ["role": "user", "content": "m", "user_id": "someone"]
                ),
                (.put, "/v1/messages/\(messageID)/feedback", ["rating": 1, "stars": 5]),
                (.post, "/v1/tokens", ["name": "t", "expires_at": "never"]),
            ]
            for (method, uri, body) in targets {
                let response = try await client.send(method, uri, as: owner, json: body)
                #expect(response.isProblem(.badRequest), "\(method) \(uri)")
                let unknown = Set(body.keys).subtracting([
                    "name", "system_prompt", "service", "api_key", "role", "content", "rating",
                ])
                #expect(try response.problemField().map(unknown.contains) == true, "\(method) \(uri)")
            }
            // Nothing was created or changed by the refused requests.
            #expect(try await client.send(.get, "/v1/agents", as: owner).ids(Schemas.AgentPage.self) == [agentID])
            #expect(try await client.send(.get, "/v1/agents/\(agentID)", as: owner).decode(Schemas.Agent.self).name == "a")
            // A token still needs no body at all.
            #expect(try await client.send(.post, "/v1/tokens", as: owner).status == .created)
        }
    }

    /// A member named twice is refused with a 400 naming it, at any depth and however its name is
    /// escaped: which of the two counts differs between parsers (`JSONDecoder`, PostgreSQL's `jsonb`, a
    /// proxy that checked the body), so the platform takes neither. The same name in two objects is fine.
    @Test func aMemberNamedTwiceIs400NamingIt() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await client.createAgent(as: owner)
            let messages = "/v1/agents/\(agentID)/conversations/c1/messages"
            let refused: [(String, String, String)] = [
                ("/v1/agents", #"{"name": "a", "system_prompt": "x", "name": "b"}"#, "name"),
                ("/v1/agents", #"{"name": "a", "system_prompt": "x", "n\u0061me": "b"}"#, "name"),
                (messages, #"{"role": "user", "content": "m", "metadata": {"tags": [{"k": 1, "k": 2}]}}"#, "metadata.tags.0.k"),
                (messages, #"{"role": "user", "content": "m", "metadata": {"x": 1, "y": {"x": 2}, "x": 3}}"#, "metadata.x"),
            ]
            for (uri, body, field) in refused {
                let response = try await client.sendRaw(.post, uri, as: owner, bytes: Array(body.utf8))
                #expect(response.isProblem(.badRequest), "\(body)")
                #expect(try response.problemField() == field, "\(body)")
            }
            #expect(try await client.send(.get, "/v1/agents", as: owner).ids(Schemas.AgentPage.self) == [agentID])
            // No message was stored, so the conversation was never started.
            #expect(try await client.send(.get, messages, as: owner).isProblem(.notFound))
            let accepted = #"{"role": "user", "content": "m", "metadata": {"a": {"k": 1}, "b": {"k": 2}, "c": ["k", "k"]}}"#
            let created = try await client.sendRaw(.post, messages, as: owner, bytes: Array(accepted.utf8))
            #expect(created.status == .created, "\(created.text)")
        }
    }

    /// A number its field cannot hold is named, though `JSONDecoder` calls the whole body invalid JSON: too
    /// large for any integer, a 422 as any value over the field's bound (the document states no maximum
    /// where a setting sets it); a fraction for an integer, a 400. A fraction where one is allowed is kept.
    @Test func aNumberItsFieldCannotHoldIsNamed() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let huge = try await client.sendRaw(
                .post, "/v1/tokens", as: owner, bytes: Array(#"{"name": "t", "expires_in_days": 6797912173236241244880896}"#.utf8)
            )
            #expect(huge.isProblem(.unprocessableContent), "\(huge.text)")
            #expect(try huge.problemField() == "expires_in_days")
            let fraction = try await client.sendRaw(
                .post, "/v1/agents", as: owner,
                bytes: Array(#"{"name": "a", "system_prompt": "x", "temperature": 0.5, "max_tokens": 1.5}"#.utf8))
            #expect(fraction.isProblem(.badRequest), "\(fraction.text)")
            #expect(try fraction.problemField() == "max_tokens")
            #expect(fraction.text.contains("must be an integer"))
            // Nothing was stored by either.
            #expect(try await client.send(.get, "/v1/agents", as: owner).ids(Schemas.AgentPage.self).isEmpty)
        }
    }

    /// A body with several faults is answered with all of them in one problem, not one per round trip:
    /// faults of form (unknown, wrong type, missing) in one 400, each wrong type naming the type asked
    /// for; values that break rules in one 422.
    @Test func everyInvalidFieldIsNamedAtOnce() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let malformed = try await client.send(
                .post, "/v1/agents", as: owner,
                json: ["name": 5, "temperature": "hot", "max_token": 5, "max_tokens": true, "description": ["x"]])
            #expect(malformed.isProblem(.badRequest))
            let reasons = try Dictionary(
                (malformed.problem().errors ?? []).map { ($0.field, $0.reason) }, uniquingKeysWith: { first, _ in first })
            #expect(
                reasons == [
                    "max_token": "is not a known field", "name": "must be a string", "description": "must be a string",
                    "system_prompt": "is required", "temperature": "must be a number", "max_tokens": "must be an integer",
                ])

            let broken = try await client.send(
                .post, "/v1/agents", as: owner,
                json: ["name": "", "system_prompt": "x", "model": "", "temperature": 3, "max_tokens": -1])
            #expect(broken.isProblem(.unprocessableContent))
            #expect(try broken.problem().errors?.map(\.field) == ["name", "model", "temperature", "max_tokens"])
            #expect(try broken.problem().detail == "4 values are invalid: name, model, temperature, max_tokens.")

            let agentID = try await client.createAgent(as: owner)
            let patch = try await client.send(
                .patch, "/v1/agents/\(agentID)", as: owner, json: ["temperature": -1, "name": String(repeating: "n", count: 201)])
            #expect(patch.isProblem(.unprocessableContent))
            #expect(try patch.problem().errors?.map(\.field) == ["name", "temperature"])
            // A name or a model of spaces alone is no name: lists link an agent by its name.
            let blank = try await client.send(.patch, "/v1/agents/\(agentID)", as: owner, json: ["name": "  ", "model": "\t"])
            #expect(try blank.problem().errors?.map(\.reason) == ["must not be blank", "must not be blank"])

            let connection = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "", "service": "", "api_key": "sk-0123456789"])
            #expect(connection.isProblem(.unprocessableContent))
            #expect(try connection.problem().errors?.map(\.field) == ["name", "service"])
            let blankName = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": " ", "service": "openai", "api_key": "sk-0123456789"])
            #expect(try blankName.problem().errors?.first?.reason == "must not be blank")
            // A value that breaks two rules is named once, with both reasons.
            let nulKey = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "n", "service": "openai", "api_key": "sk-\u{0}x"])
            #expect(try nulKey.problem().errors?.map(\.field) == ["api_key", "api_key"])
            #expect(try nulKey.problem().detail.hasPrefix("The value of api_key is invalid: ") == true, "\(nulKey.text)")
            let token = try await client.send(
                .post, "/v1/tokens", as: owner,
                json: ["name": String(repeating: "n", count: 201), "expires_in_days": 0, "scopes": [String]()])
            #expect(try token.problem().errors?.map(\.field) == ["name", "expires_in_days", "scopes"], "\(token.text)")
            let message = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/c/messages", as: owner, json: ["role": "user", "content": "x"])
            let messageID = try message.decode(Schemas.Message.self).id
            let feedback = try await client.send(
                .put, "/v1/messages/\(messageID)/feedback", as: owner,
                json: ["rating": 2, "comment": String(repeating: "c", count: 10_001)])
            #expect(try feedback.problem().errors?.map(\.field) == ["rating", "comment"], "\(feedback.text)")
            let conversation = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations", as: owner, json: ["id": "", "title": ""])
            #expect(try conversation.problem().errors?.map(\.field) == ["id", "title"], "\(conversation.text)")
            // One fault is still answered as before, by itself.
            let one = try await client.send(.post, "/v1/agents", as: owner, json: ["name": 5, "system_prompt": "x"])
            #expect(try one.problem().detail == "The field name must be a string.")
            #expect(try await client.send(.get, "/v1/agents", as: owner).ids(Schemas.AgentPage.self) == [agentID])
        }
    }

    /// What one bad body may cost: a body past 64 KiB is told its first fault only (each pass of the search
    /// for every fault decodes and writes it whole again), and a problem names at most 20 fields.
    @Test func theSearchForEveryFaultIsBounded() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let large = try await client.send(
                .post, "/v1/agents", as: owner,
                json: ["name": 5, "temperature": "hot", "description": String(repeating: "d", count: 70_000)])
            #expect(large.isProblem(.badRequest))
            #expect(try large.problem().errors?.count == 1)
            var unknown: [String: Any] = ["name": "n", "system_prompt": "p"]
            for index in 0..<500 { unknown["extra\(index)"] = index }
            let many = try await client.send(.post, "/v1/agents", as: owner, json: unknown)
            #expect(many.isProblem(.badRequest))
            #expect(try many.problem().errors?.count == 20)
        }
    }

    @Test func tenMegabyteBodyIs413() async throws {
        let owner = try await api.makeUser()
        let bytes = Array(#"{"name": ""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024) + Array(#""}"#.utf8)
        try await api.test(.live) { client async throws in
            let response = try await client.sendRaw(.post, "/v1/agents", as: owner, bytes: bytes)
            #expect(response.isProblem(.contentTooLarge))
            // Bodies nobody reads, or sent before authentication fails, neither hang nor break the server.
            let unread = try await client.sendRaw(.get, "/health", as: nil, bytes: bytes)
            #expect(unread.status == .ok)
            #expect(try await client.sendRaw(.post, "/v1/agents", as: nil, bytes: bytes).isProblem(.unauthorized))
            #expect(try await client.send(.get, "/health", as: nil).status == .ok)
        }
    }

    @Test func bodyLimitIsConfigurable() async throws {
        let small = try await TestAPI.make(maximumBodySize: 100)
        let owner = try await small.makeUser()
        try await small.test(.live) { client async throws in
            let fits = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "a", "system_prompt": "p"])
            #expect(fits.status == .created)
            let big = try await client.send(
                .post, "/v1/agents", as: owner, json: ["name": "a", "system_prompt": String(repeating: "p", count: 200)])
            #expect(big.isProblem(.contentTooLarge))
            #expect(try big.problem().detail == "The request body exceeds the limit of 100 bytes.")
        }
    }

    @Test func wrongContentTypeIs415() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let body = Array(#"{"name": "a", "system_prompt": "x"}"#.utf8)
            for type in [
                "text/plain", "application/x-www-form-urlencoded", "application/jsonx", nil,
                "application/json; charset=iso-8859-1",
                "application/json;charset=\"utf-16\"",
            ] {
                #expect(
                    try await client.sendRaw(.post, "/v1/agents", as: owner, bytes: body, contentType: type).isProblem(
                        .unsupportedMediaType))
            }
            #expect(
                try await client.sendRaw(
                    .post, "/v1/agents", as: owner, bytes: body, contentType: "application/json; charset=utf-8"
                ).status == .created)
            #expect(
                try await client.sendRaw(
                    .post, "/v1/agents", as: owner, bytes: body, contentType: "Application/JSON;Charset=\"UTF-8\""
                ).status == .created)
            #expect(
                try await client.sendRaw(
                    .post, "/v1/agents", as: owner, bytes: body, contentType: "application/json; charset=us-ascii"
                ).status == .created)
        }
    }

    @Test func malformedParametersAre400AndOddIdsAre404() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            for query in [
                "limit=0", "limit=101", "limit=abc", "limit=99999999999999999999", "order=up", "after=%00", "limit=%ZZ",
                "limit=1e400", "limit=-1", "order=%FF",
                "after=\(String(repeating: "x", count: 300))",
            ] {
                #expect(try await client.send(.get, "/v1/agents?\(query)", as: owner).isProblem(.badRequest), "\(query)")
            }
            #expect(try await client.send(.get, "/v1/agents?after=unknown-id", as: owner).isProblem(.unprocessableContent))
            // A parameter given twice is not resolved by either value.
            for query in ["limit=1&limit=100", "order=asc&limit=2&order=desc", "limit=1&limit=1"] {
                let twice = try await client.send(.get, "/v1/agents?\(query)", as: owner)
                #expect(twice.isProblem(.badRequest), "\(query)")
                #expect(try twice.problem().errors?.map(\.reason) == ["is given more than once"], "\(query)")
            }
            // Two well-formed cursors that together ask for no page: a 422 naming both, as the document says.
            let both = try await client.send(.get, "/v1/agents?after=a&before=b", as: owner)
            #expect(both.isProblem(.unprocessableContent))
            #expect(try both.problem().errors?.map(\.field) == ["after", "before"])
            for id in ["%00", "%FF%FE", "a%0Ab", String(repeating: "x", count: 500), "'%20OR%201=1--"] {
                #expect(try await client.send(.get, "/v1/agents/\(id)", as: owner).isProblem(.notFound), "\(id)")
                // A conversation id is the client's, percent-decoded: one outside its limits is a 422 that says so.
                let conversation = try await client.send(.get, "/v1/agents/\(id)/conversations/\(id)/messages", as: owner)
                #expect(conversation.isProblem(.notFound) || conversation.isProblem(.unprocessableContent), "\(id)")
            }
            #expect(try await client.send(.get, "/v1/nowhere", as: owner).isProblem(.notFound))
            #expect(try await client.send(.get, "/nowhere", as: nil).isProblem(.notFound))
            let wrongMethod = try await client.send(.put, "/v1/agents", as: owner, json: [:])
            #expect(wrongMethod.isProblem(.methodNotAllowed))
            #expect(wrongMethod.headers[.allow] == "GET, HEAD, POST")
        }
    }

    /// A query parameter the operation does not declare is a 400 naming it and what the operation takes,
    /// as an unknown body member is: a typo, or another listing's paging style, is not ignored in silence.
    @Test func undeclaredQueryParametersAre400NamingThem() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let typo = try await client.send(.get, "/v1/agents?limt=5", as: owner)
            #expect(typo.isProblem(.badRequest))
            #expect(try typo.problem().errors?.map(\.field) == ["limt"])
            #expect(try typo.problem().detail.contains("it takes after, before, limit, order"))
            // The recent conversations page by cursor: an `after` would have read the first page again.
            let paging = try await client.send(.get, "/v1/conversations?after=x&limit=2", as: owner)
            #expect(try paging.problem().errors?.map(\.field) == ["after"])
            // Names are read as a form writes them, and a HEAD is its GET's.
            #expect(try await client.send(.head, "/v1/agents?lim%69t=2", as: owner).status == .ok)
            let spaced = try await client.send(.get, "/v1/agents?x+y=1", as: owner)
            #expect(try spaced.problem().errors?.map(\.field) == ["x y"])
            #expect(try await client.send(.head, "/v1/agents?x+y=1", as: owner).status == .badRequest)
            // Thousands of names are answered with ten of them.
            let many = (0..<2_000).map { "p\($0)=1" }.joined(separator: "&")
            let flood = try await client.send(.get, "/v1/agents?\(many)", as: owner)
            #expect(try flood.problem().errors?.count == 10 && flood.problem().detail.contains("and 1990 more"))
            let none = try await client.send(.get, "/v1/me?verbose=1", as: owner)
            #expect(try none.problem().detail == "The parameter verbose is not a parameter of this operation (it takes none).")
            // Declared ones still work, a `+` in their values included.
            #expect(try await client.send(.get, "/v1/agents?limit=2&order=asc", as: owner).status == .ok)
            #expect(try await client.send(.get, "/v1/search?q=a+b&limit=2", as: owner).status == .ok)
            #expect(try await client.send(.get, "/v1/me", as: owner).status == .ok)
        }
    }

    /// getUsage echoes from and to in RFC 3339, which has four digits of year: a time outside the years 1900
    /// to 9999 is a 422 naming it (a year 0 trapped the formatter and took the whole process down), one
    /// that is no time a 400.
    @Test func usageTimesOutsideTheYearsAre422() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            for (query, status, field) in [
                ("from=0000-01-01", HTTPResponse.Status.unprocessableContent, "from"),
                ("to=0001-01-05", .unprocessableContent, "to"),
                ("from=1899-12-31T23:59:59Z", .unprocessableContent, "from"),
                ("from=1234567890", .badRequest, "from"),
                ("from=2026-12-01garbage", .badRequest, "from"), ("to=2026-02-30", .badRequest, "to"),
                ("from=2026-12-01T99:99:99Z", .badRequest, "from"),
            ] {
                let response = try await client.send(.get, "/v1/usage?\(query)", as: owner)
                #expect(response.isProblem(status), "\(query)")
                #expect(try response.problemField() == field, "\(query)")
            }
            let earliest = try await client.send(.get, "/v1/usage?from=1900-01-01&to=9999-12-31T23:59:59.999Z", as: owner)
            #expect(earliest.status == .ok, "\(earliest.text)")
            // An offset's `+` sent unencoded reads as a space in a query: taken as the `+` it was.
            let offset = try await client.send(.get, "/v1/usage?from=2026-12-01T00:00:00+02:00&to=2026-12-02", as: owner)
            #expect(
                try offset.decode(Schemas.UsageReport.self).from == Date(timeIntervalSince1970: 1_796_076_000), "\(offset.text)")
            // The default `from`, 30 days before `to`, stops at the first time a `from` may name.
            let early = try await client.send(.get, "/v1/usage?to=1900-01-02", as: owner)
            #expect(
                try early.decode(Schemas.UsageReport.self).from == Date(timeIntervalSince1970: -2_208_988_800), "\(early.text)")
        }
    }

    /// listProviderCalls narrows the ledger by status and time as getUsage reads its times; a status that is
    /// none is a 400 naming the four, a window that ends before it starts a 422 naming `from`.
    @Test func theLedgerListingIsNarrowedByItsFiltersAndRefusesBadOnes() async throws {
        let owner = try await api.makeUser()
        for (status, startedAt) in [("failed", "2026-11-02T10:00:00Z"), ("complete", "2026-11-02T11:00:00Z")] {
            _ = try await api.db.admin.query(
                """
                INSERT INTO provider_calls (user_id, agent_id, model, attempt, status, started_at)
                VALUES (\(owner.id.rawValue), 'agent', 'm', 1, \(status), \(startedAt)::timestamptz)
                """, logger: api.logger
            ).collect()
        }
        try await api.test { client async throws in
            for (query, expected) in [
                ("status=failed", ["failed"]), ("from=2026-11-02T10:30:00Z", ["complete"]),
                ("to=2026-11-02T11:00:00Z&order=asc", ["failed"]), ("agent_id=agent&order=asc", ["failed", "complete"]),
                ("connection_id=none", []),
            ] {
                let response = try await client.send(.get, "/v1/usage/calls?\(query)", as: owner)
                #expect(try response.decode(Schemas.ProviderCallPage.self).data.map(\.status.rawValue) == expected, "\(query)")
            }
            let status = try await client.send(.get, "/v1/usage/calls?status=done", as: owner)
            #expect(status.isProblem(.badRequest))
            #expect(try status.problemField() == "status")
            #expect(try status.problem().detail.contains("running, complete, failed or cancelled"), "\(status.text)")
            let window = try await client.send(.get, "/v1/usage/calls?from=2026-11-02&to=2026-11-01", as: owner)
            #expect(window.isProblem(.unprocessableContent), "\(window.text)")
            #expect(try window.problemField() == "from")
        }
    }

    @Test func everyRouteWithoutCredentialsIs401() async throws {
        let router = try await buildRouter(
            store: api.db.store, replies: api.replies, configuration: api.configuration, registry: api.registry,
            logger: api.logger)
        let routes = router.routes.map {
            ($0.method, "\($0.path)".replacingOccurrences(of: "{", with: "x").replacingOccurrences(of: "}", with: ""))
        }
        try await api.test { client async throws in
            for (method, path) in routes where path.hasPrefix("/v1") {
                let response = try await client.sendRaw(method, path, as: nil, bytes: Array("{}".utf8))
                if ["/v1/chat/completions", "/v1/models", "/v1/models/xmodel"].contains(path) {
                    // The OpenAI-compatible routes say it in OpenAI's shape.
                    let error = try response.decode(Schemas.OpenAIError.self).error
                    #expect(response.status == .unauthorized && error._type == "authentication_error", "\(path)")
                } else {
                    #expect(response.isProblem(.unauthorized), "\(method) \(path)")
                }
            }
        }
    }
}
