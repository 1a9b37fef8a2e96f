import Foundation

/// `agentctl bench console`: how long the console's pages take to serve, one request at a time over
/// loopback (so the figure is the server's time plus a loopback round trip), for an agent with many
/// conversations; and, side by side in the same run, the API's JSON listing of the same conversations.
public struct ConsoleBenchmark: Sendable {
    /// Requests per page, after `warmup` unmeasured ones.
    public var requests = 300
    public var warmup = 30
    let host: String
    let port: Int
    /// The signed-in session's cookie value and a personal token of the same user.
    let session: String
    let token: String
    let agentID: String
    let conversationID: String
    /// A conversation of 100 messages whose replies are ``markdownReply(_:)``.
    let markdownConversationID: String

    public init(
        host: String, port: Int, session: String, token: String, agentID: String, conversationID: String,
        markdownConversationID: String
    ) {
        self.host = host
        self.port = port
        self.session = session
        self.token = token
        self.agentID = agentID
        self.conversationID = conversationID
        self.markdownConversationID = markdownConversationID
    }

    /// A reply of about 2 KB as models write them: a heading, emphasis, inline code, a link, nested lists, a
    /// fenced code block, a table and a quote, which the chat page renders.
    public static func markdownReply(_ number: Int) -> String {
        let paragraph = String(
            repeating: "Each step is checked before the next one starts, so that a *failure* names its cause. ", count: 8)
        return """
            ## Answer \(number)

            Here is how to do it, **step by step**, with `swift build` and [the guide](https://example.com/docs/\(number)).

            1. Install the toolchain.
            2. Run the *tests*:
               - the unit tests
               - the integration tests, against `PostgreSQL`

            ```swift
            let value = \(number)
            for item in items where item.isValid {
                print("item <\\(item)>", value)
            }
            ```

            | option | default | meaning |
            | --- | :-: | --: |
            | clients | 8 | connections |
            | seconds | 10 | per phase |

            > Note: ~~old~~ new behaviour since version \(number).

            \(paragraph)
            """
    }

    /// Measures each page and returns the report lines, the last `ratio=X.XX` (the agent page's p50 over the
    /// API listing's p50).
    public func run() async throws -> [String] {
        let conversationPath = conversationID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? conversationID
        let pages: [(String, String)] = [
            ("agents", "/agents"),
            ("agent (50 newest of its conversations)", "/agents/\(agentID)"),
            ("chat (a conversation's messages)", "/agents/\(agentID)/conversations/\(conversationPath)"),
            ("chat (100 messages, Markdown replies of 2 KB)", "/agents/\(agentID)/conversations/\(markdownConversationID)"),
            ("connections", "/connections"),
            ("usage (30 days, chart)", "/usage"),
            ("audit log", "/audit"),
        ]
        var lines: [String] = []
        var agentPage = LatencyRecorder()
        for (name, path) in pages {
            let recorder = try await measure(cookie: "ap_session=\(session)", path: path)
            if path == "/agents/\(agentID)" { agentPage = recorder }
            lines.append(recorder.summary("console \(name)"))
        }
        let listing = try await measure(
            authorization: "Bearer \(token)", path: "/v1/agents/\(agentID)/conversations?limit=50")
        lines.append(listing.summary("API GET conversations?limit=50 (JSON, same rows)"))
        let messages = try await measure(
            authorization: "Bearer \(token)",
            path: "/v1/agents/\(agentID)/conversations/\(markdownConversationID)/messages?limit=100")
        lines.append(messages.summary("API GET messages?limit=100 (JSON, the Markdown conversation's rows)"))
        lines.append(String(format: "agent_page_p50_ms=%.2f", agentPage.percentile(0.5)))
        lines.append(String(format: "ratio=%.2f", agentPage.percentile(0.5) / max(0.001, listing.percentile(0.5))))
        return lines
    }

    private func measure(cookie: String? = nil, authorization: String? = nil, path: String) async throws -> LatencyRecorder {
        let request = Array(
            ("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n" + (cookie.map { "Cookie: \($0)\r\n" } ?? "")
                + (authorization.map { "Authorization: \($0)\r\n" } ?? "") + "\r\n").utf8)
        let (host, port, requests, warmup) = (self.host, self.port, self.requests, self.warmup)
        return try await Task.detached {
            let connection = try HTTPLoadConnection(host: host, port: port)
            for _ in 0..<warmup {
                let status = try connection.send(request)
                guard status == 200 else { throw BenchmarkFailure("GET \(path) answered \(status)") }
            }
            var recorder = LatencyRecorder()
            let began = ContinuousClock.now
            for _ in 0..<requests {
                let start = ContinuousClock.now
                let status = try connection.send(request)
                recorder.record(ContinuousClock.now - start)
                guard status == 200 else { throw BenchmarkFailure("GET \(path) answered \(status)") }
            }
            let elapsed = (ContinuousClock.now - began).components
            recorder.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            return recorder
        }.value
    }
}
