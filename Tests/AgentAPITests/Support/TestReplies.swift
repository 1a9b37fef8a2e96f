import AgentProviders
import AgentReplies
import AgentStore
import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import ProviderEmulator

/// Reply generators for tests: one HTTP client for the whole test process (as `serve` has one), provider
/// calls allowed to loopback, where the tests' provider emulators listen.
enum TestReplies {
    static let httpClient = HTTPClient(
        eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
        configuration: ProviderClient.httpClientConfiguration())

    /// Loopback on any port: the emulators of the tests; nothing else is allowed beyond public addresses.
    static let loopback = try! ProviderAddressPolicy(allowlist: "127.0.0.1,localhost")

    static func make(
        store: AgentStore, settings: ReplySettings = ReplySettings(), policy: ProviderAddressPolicy = loopback,
        timeouts: ProviderTimeouts = ProviderTimeouts(),
        metrics: ProviderCallMetrics = ProviderCallMetrics(factory: NOOPMetricsHandler.instance), logger: Logger? = nil
    ) -> ReplyGenerator {
        var quiet = Logger(label: "replies-test")
        quiet.logLevel = .warning
        let logger = logger ?? quiet
        return ReplyGenerator(
            store: store, client: ProviderClient(httpClient: httpClient, addressPolicy: policy, timeouts: timeouts),
            settings: settings, metrics: metrics, logger: logger)
    }
}

/// One event of a `text/event-stream` body.
struct StreamedEvent: Sendable, Equatable {
    let name: String?
    let data: String

    /// The events of a whole body.
    static func parse(_ text: String) -> [StreamedEvent] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var name: String?
            var data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : StreamedEvent(name: name, data: data.joined(separator: "\n"))
        }
    }
}

/// Requests over a connection of their own (the test client sends one request at a time on one
/// connection), for tests that need several at once or one that stays open while others run.
struct LiveRequest: Sendable {
    let port: Int
    let tenant: Tenant

    struct Answer: Sendable {
        let status: Int
        let retryAfter: String?
        let text: String
        let headers: HTTPHeaders
    }

    /// A request to `path` as the tenant, with `json` as its body when there is one.
    func request(
        _ method: HTTPMethod, _ path: String, json: [String: any Sendable]? = nil, headers: [(String, String)] = []
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(tenant.token)")
        request.headers.add(contentsOf: headers)
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        return request
    }

    /// Posts `json` to `path`, reads the answer until it holds `marker`, then hangs up: a client that goes
    /// away mid-stream.
    func postThenHangUp(_ path: String, json: [String: any Sendable], onceRead marker: String) async throws {
        let request = try request(.POST, path, json: json)
        // A task of its own: when it ends, the response and its body are gone, and the connection closes.
        try await Task {
            let response = try await TestReplies.httpClient.execute(request, timeout: .seconds(30))
            var seen = ""
            for try await chunk in response.body {
                seen += String(buffer: chunk)
                if seen.contains(marker) { return }
            }
        }.value
    }

    func post(_ path: String, json: [String: any Sendable]? = nil, headers: [(String, String)] = []) async throws -> Answer {
        try await send(.POST, path, json: json, headers: headers)
    }

    func get(_ path: String) async throws -> Answer {
        try await send(.GET, path)
    }

    private func send(
        _ method: HTTPMethod, _ path: String, json: [String: any Sendable]? = nil, headers: [(String, String)] = []
    ) async throws -> Answer {
        let response = try await TestReplies.httpClient.execute(
            request(method, path, json: json, headers: headers), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 24)
        return Answer(
            status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"),
            text: String(buffer: body), headers: response.headers)
    }
}

extension ProviderEmulator {
    /// The streams this emulator saw closed before their end, once it saw one. It sees so when a write
    /// fails, a write or two after the platform hung up: 15 s at most (a loaded machine).
    func streamsClosedEarlyOnceSeen() async throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(15)
        var closedEarly = await stats().streamsClosedEarly
        while closedEarly == 0, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            closedEarly = await stats().streamsClosedEarly
        }
        return closedEarly
    }
}
