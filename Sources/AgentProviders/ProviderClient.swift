import AgentSecrets
import AsyncHTTPClient
import EventLoopTasks
import Foundation
import NIOCore
import NIOHTTP1

/// Calls chat providers over HTTP: one request, its reply streamed (``streamReply(_:endpoint:apiKey:for:)``)
/// or whole (``completeReply(_:endpoint:apiKey:for:)``).
///
/// Every failure before the reply begins is a thrown ``ProviderCallError``, so a caller can fall back to
/// another connection with nothing sent to its own client yet.
///
/// **Addresses.** Each call checks its endpoint with the ``ProviderAddressPolicy`` first. A host that is
/// an address literal, or allowlisted, goes through the shared `HTTPClient` (an address literal cannot
/// change between check and connect; an allowlisted host is trusted). A host name is resolved, every
/// address it has must be public, and the call then goes through a client whose `dnsOverride` maps the
/// name to the first checked address: the connection goes to exactly the address that was checked, while
/// the `Host` header, TLS SNI and certificate verification still use the name. async-http-client offers no
/// per-request resolver, so there is one such client per name and checked address, kept and shared by the
/// calls that go there (``PinnedClients``), on the shared client's event loops.
///
/// **What is sent.** The protocol's fixed headers, the key (OpenAI `Authorization: Bearer`, Anthropic
/// `x-api-key`) and the JSON body; nothing that names the platform's user or carries its credentials.
/// Redirects are never followed (a redirect could lead to an address the policy refuses).
public struct ProviderClient: Sendable {
    /// The largest whole reply read, far above any chat completion.
    public static let maximumReplyBytes = 16 << 20
    /// The most of an error body read for its error kind.
    static let maximumErrorBodyBytes = 64 << 10

    public let httpClient: HTTPClient
    public let addressPolicy: ProviderAddressPolicy
    public let timeouts: ProviderTimeouts
    /// The clients of calls to a host name, pinned to the address checked (see ``PinnedClients``).
    let pinnedClients: PinnedClients

    /// The event loops the calls run on, where timers of a call's lifetime belong too.
    public var eventLoopGroup: any EventLoopGroup { httpClient.eventLoopGroup }

    /// `httpClient` is the process's shared client; make it with ``httpClientConfiguration(timeouts:)``,
    /// which disables redirects.
    public init(httpClient: HTTPClient, addressPolicy: ProviderAddressPolicy, timeouts: ProviderTimeouts = ProviderTimeouts()) {
        self.httpClient = httpClient
        self.addressPolicy = addressPolicy
        self.timeouts = timeouts
        pinnedClients = PinnedClients(
            configuration: Self.httpClientConfiguration(timeouts: timeouts), eventLoopGroup: httpClient.eventLoopGroup)
    }

    /// Shuts down the clients this one made for pinned calls; `httpClient` stays its owner's to shut down.
    public func shutdown() async {
        await pinnedClients.shutdown()
    }

    /// The configuration of a client for provider calls: no redirects, the connect timeout, no
    /// decompression (replies are small and streamed as they come), and room for many concurrent streams.
    public static func httpClientConfiguration(timeouts: ProviderTimeouts = ProviderTimeouts()) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: TimeAmount(timeouts.connect), read: nil)
        // A stream holds its connection for the whole reply: the default of 8 per host would queue the
        // ninth concurrent reply to one provider behind the first eight. Over HTTP/2 the client would
        // queue every reply past the server's stream limit (often 100) on one connection, and open no
        // other, so the limit here holds only over HTTP/1.
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnectionsPerHost)
        return configuration
    }

    /// Streams open at once to one provider host through the shared client.
    public static let maximumConnectionsPerHost = 1024

    // MARK: Calls

    /// Sends `request` as a stream and returns once the provider answered 2xx; the reply follows. The
    /// endpoint's name is looked up on `tenant`'s share of the resolver's threads.
    public func streamReply(
        _ request: ChatRequest, endpoint: ProviderEndpoint, apiKey: Secret, for tenant: String?
    ) async throws(ProviderCallError) -> ProviderReplyStream {
        var request = request
        request.stream = true
        let call = try await open(request, endpoint: endpoint, apiKey: apiKey, for: tenant)
        let idle = timeouts.idle
        let wireProtocol = endpoint.wireProtocol
        let cut = StopSequenceCut(for: request, on: wireProtocol)
        // A server that ignores `stream: true` (or a proxy in front of one) answers with the whole reply.
        let whole = call.response.headers.first(name: "content-type")?.lowercased().hasPrefix("application/json") == true
        // The consumer stopped (cancelled, dropped the stream, or asked): stop the upstream request too.
        let pumping = Locked<Task<Void, Never>?>(nil)
        let events = PendingReplyEvents { pumping.withLock { $0 }?.cancel() }
        let pump = Task(executorPreference: EventLoopTaskExecutor.whenCallerIsOnALoop(call.loop)) {
            if whole {
                await Self.pumpWhole(
                    call.response.body, protocol: wireProtocol, idle: idle, firstChunk: call.firstChunk, on: call.loop,
                    cutting: cut, redacting: apiKey, into: events)
            } else {
                await Self.pump(
                    call.response.body, protocol: wireProtocol, idle: idle, firstChunk: call.firstChunk, on: call.loop,
                    cutting: cut, redacting: apiKey, into: events)
            }
            await call.release()
        }
        pumping.withLock { $0 = pump }
        return ProviderReplyStream(events)
    }

    /// Sends `request` without streaming and reads the whole reply.
    public func completeReply(
        _ request: ChatRequest, endpoint: ProviderEndpoint, apiKey: Secret, for tenant: String?
    ) async throws(ProviderCallError) -> ChatReply {
        var request = request
        request.stream = false
        let call = try await open(request, endpoint: endpoint, apiKey: apiKey, for: tenant)
        let outcome = await Self.readWholeReply(
            call.response.body, protocol: endpoint.wireProtocol, idle: timeouts.idle, firstChunk: call.firstChunk,
            on: call.loop)
        await call.release()
        switch outcome {
        case .success(var reply):
            reply = StopSequenceCut(for: request, on: endpoint.wireProtocol).applied(to: reply)
            reply.finishReason = reply.finishReason?.redacting(apiKey)
            return reply
        case .failure(let failure): throw .failed(failure.redacting(apiKey))
        case nil: throw .cancelled
        }
    }

    // MARK: Opening a call

    /// A response whose head was 2xx, and how to let go of the client it came through.
    struct OpenedCall: Sendable {
        let response: HTTPClientResponse
        /// The client the call went through.
        let client: HTTPClient
        /// Where the body's idle timer runs.
        let loop: any EventLoop
        /// The silence allowed before the body's first chunk (``ProviderTimeouts/waits(for:over:)``).
        let firstChunk: Duration
        /// Lets go of a pinned client; nothing for the shared one.
        let releaseClient: @Sendable () async -> Void

        func release() async {
            await releaseClient()
        }
    }

    /// Checks the address, sends the request, and waits for a 2xx head; anything else is thrown.
    func open(
        _ request: ChatRequest, endpoint: ProviderEndpoint, apiKey: Secret, for tenant: String?
    ) async throws(ProviderCallError) -> OpenedCall {
        let target = try await addressPolicy.target(of: endpoint, for: tenant)
        return try await open(request, endpoint: endpoint, apiKey: apiKey, target: target)
    }

    /// Sends the request to the target the address check chose, and waits for a 2xx head.
    func open(
        _ request: ChatRequest, endpoint: ProviderEndpoint, apiKey: Secret, target: ProviderAddressPolicy.Target
    ) async throws(ProviderCallError) -> OpenedCall {
        let body: Data
        do {
            body = try endpoint.wireProtocol.requestBody(for: request)
        } catch {
            // Encoding strings and numbers does not fail; a NaN temperature would.
            throw .rejected(status: 400, failure: .protocolViolation(.malformedJSON))
        }
        var outgoing = HTTPClientRequest(url: endpoint.chatURL)
        outgoing.method = .POST
        Self.addHeaders(of: endpoint.wireProtocol, presenting: apiKey, to: &outgoing)
        outgoing.headers.add(name: "accept", value: request.stream ? "text/event-stream" : "application/json")
        outgoing.body = .bytes(ByteBuffer(bytes: body))

        let waits = timeouts.waits(for: request.model, over: endpoint.wireProtocol)
        let (response, client, releaseClient) = try await send(outgoing, to: endpoint, target: target, head: waits.head)
        let call = OpenedCall(
            response: response, client: client, loop: client.eventLoopGroup.any(), firstChunk: waits.firstChunk,
            releaseClient: releaseClient)
        if let failure = await refusal(in: response, on: call.loop, redacting: apiKey) {
            await call.release()
            throw failure
        }
        return call
    }

    /// Why a response's head ends the call, or nil when it is a 2xx that may be read. Only a 4xx's error kind
    /// is read, and only a little of it.
    func refusal(in response: HTTPClientResponse, on loop: any EventLoop, redacting apiKey: Secret) async
        -> ProviderCallError?
    {
        if let first = response.history.first, response.history.count > 1 {
            // A shared client that was not made with `httpClientConfiguration` followed a redirect; its
            // target was never checked, so its answer is not used.
            return .rejected(status: Int(first.responseHead.status.code), failure: .provider(kind: ProviderFailure.unknownKind))
        }
        let status = Int(response.status.code)
        switch status {
        case 200..<300: return nil
        case 429: return .rateLimited(retryAfter: Self.retryAfter(response.headers.first(name: "retry-after")))
        case 500...: return .unavailable(status: status)
        default:
            let (end, body) = await Self.collect(response.body, limit: Self.maximumErrorBodyBytes, idle: timeouts.idle, on: loop)
            let kind =
                end == .ended
                ? ProviderErrorObject.refusal(in: Data(body.readableBytesView))
                : .provider(kind: ProviderFailure.unknownKind)
            return .rejected(status: status, failure: kind.redacting(apiKey))
        }
    }

    /// The protocol's fixed headers and its key header.
    static func addHeaders(of wireProtocol: ChatWireProtocol, presenting apiKey: Secret, to outgoing: inout HTTPClientRequest) {
        for header in wireProtocol.fixedHeaders { outgoing.headers.add(name: header.name, value: header.value) }
        switch wireProtocol {
        case .openAI: outgoing.headers.add(name: "authorization", value: "Bearer \(apiKey.exposedValue)")
        case .anthropic: outgoing.headers.add(name: "x-api-key", value: apiKey.exposedValue)
        }
    }

    /// Sends `outgoing` and waits for the response head, through the shared client or a client pinned to a
    /// checked address. A host's checked addresses are tried in turn while a connection cannot be made
    /// (refused, unreachable, or its connect timed out): the request never left, so nothing is sent twice,
    /// and one address that stopped answering does not fail every call to the host.
    func send(
        _ outgoing: HTTPClientRequest, to endpoint: ProviderEndpoint, target: ProviderAddressPolicy.Target, head: Duration
    ) async throws(ProviderCallError) -> (HTTPClientResponse, HTTPClient, @Sendable () async -> Void) {
        let addresses: [IPAddress?] =
            switch target {
            case .asWritten: [nil]
            case .pinned(let addresses): addresses
            }
        for (index, address) in addresses.enumerated() {
            let lease =
                address.map { pinnedClients.lease(host: endpoint.host, address: $0) }
                ?? PinnedClients.Lease(client: httpClient, connected: {}, release: {})
            let (client, release) = (lease.client, lease.release)
            do {
                let response = try await client.execute(outgoing, deadline: .now() + TimeAmount(head))
                lease.connected()
                return (response, client, release)
            } catch {
                await release()
                if Task.isCancelled { throw .cancelled }
                guard index + 1 < addresses.count, Self.neverConnected(error) else { throw Self.unreachable(error) }
            }
        }
        throw .unreachable(.connectionFailed)  // no address: the policy gives at least one
    }

    /// A `Retry-After` of seconds or an HTTP date, as a duration from now (zero for a date passed).
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = format.date(from: value) else { return nil }
        return .seconds(max(0, Int(date.timeIntervalSinceNow.rounded(.up))))
    }
}
