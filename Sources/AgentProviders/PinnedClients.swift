import AsyncHTTPClient
import NIOCore
import Synchronization

/// The HTTP clients of calls pinned to a checked address: one per host name and address, kept while calls
/// use it and for a while after, so that its connections are reused.
///
/// Pinning needs a client of its own (the address is the client's `dnsOverride`). One was made for each
/// call, so every call to a provider by name (api.openai.com, api.anthropic.com) opened a new connection,
/// paying its TCP and TLS handshakes (a round trip or two to the provider) before the request could leave.
final class PinnedClients: Sendable {
    struct Key: Hashable, Sendable {
        let host: String
        let address: IPAddress
    }

    /// A client for one call: ``connected()`` once the call has its response head, and ``release()`` when
    /// the call is over.
    struct Lease: Sendable {
        let client: HTTPClient
        /// Keeps a new client for later calls, now that a call went through it.
        let connected: @Sendable () -> Void
        let release: @Sendable () async -> Void
    }

    /// Whether a new client was kept, once its call connected.
    private final class Adoption: Sendable {
        let kept = Mutex(false)
    }

    private struct Entry {
        let client: HTTPClient
        var calls: Int
        var lastUsed: ContinuousClock.Instant
    }

    /// How long a client no call uses keeps its connections: AHC closes idle connections after 60 s.
    static let idleLifetime: Duration = .seconds(120)
    /// Clients kept at most (tenants may name any public host); past it, a call gets a client of its own.
    static let maximumClients = 128

    private let entries = Mutex<[Key: Entry]>([:])
    private let configuration: HTTPClient.Configuration
    private let eventLoopGroup: any EventLoopGroup

    init(configuration: HTTPClient.Configuration, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
    }

    deinit {
        // Shutting down holds each client until it is done.
        entries.withLock { entries in
            for entry in entries.values { _ = entry.client.shutdown() }
        }
    }

    /// The kept client of `host` pinned to `address`; else a new one, kept once its call has connected
    /// (an address that refuses or never answers takes no place: a tenant naming many such would otherwise
    /// fill them all) while fewer than ``maximumClients`` are. Clients idle past ``idleLifetime`` are shut
    /// down on the way.
    func lease(host: String, address: IPAddress) -> Lease {
        let key = Key(host: host, address: address)
        let now = ContinuousClock.now
        let (kept, idle) = entries.withLock { entries -> (HTTPClient?, [HTTPClient]) in
            let idle = entries.filter { $0.value.calls == 0 && now - $0.value.lastUsed > Self.idleLifetime }
            for key in idle.keys { entries[key] = nil }
            guard var entry = entries[key] else { return (nil, idle.values.map(\.client)) }
            entry.calls += 1
            entry.lastUsed = now
            entries[key] = entry
            return (entry.client, idle.values.map(\.client))
        }
        for client in idle { _ = client.shutdown() }
        if let kept {
            return Lease(client: kept, connected: {}, release: { [weak self] in self?.release(key) })
        }
        let new = makeClient(key)
        let adoption = Adoption()
        return Lease(
            client: new,
            connected: { [weak self] in
                let kept = self?.adopt(new, as: key) ?? false
                adoption.kept.withLock { $0 = kept }
            },
            release: { [weak self] in
                if adoption.kept.withLock({ $0 }) { self?.release(key) } else { try? await new.shutdown() }
            })
    }

    /// Keeps `client` as `key`'s, with its call counted, unless another is kept already or there is no room.
    private func adopt(_ client: HTTPClient, as key: Key) -> Bool {
        entries.withLock { entries in
            guard entries[key] == nil, entries.count < Self.maximumClients else { return false }
            entries[key] = Entry(client: client, calls: 1, lastUsed: .now)
            return true
        }
    }

    /// Shuts every kept client down; a call still running on one fails.
    func shutdown() async {
        let clients = entries.withLock { entries in
            defer { entries = [:] }
            return entries.values.map(\.client)
        }
        for client in clients { try? await client.shutdown() }
    }

    /// The number of clients kept now.
    var count: Int { entries.withLock { $0.count } }

    private func release(_ key: Key) {
        entries.withLock { entries in
            entries[key]?.calls -= 1
            entries[key]?.lastUsed = .now
        }
    }

    private func makeClient(_ key: Key) -> HTTPClient {
        var configuration = self.configuration
        configuration.dnsOverride = [key.host: key.address.description]
        return HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
    }
}
