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

    /// A client for one call, and how to let go of it when the call is over.
    struct Lease: Sendable {
        let client: HTTPClient
        let release: @Sendable () async -> Void
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

    /// The kept client of `host` pinned to `address`, made on first use; a client of the call's own when
    /// ``maximumClients`` are kept already. Clients idle past ``idleLifetime`` are shut down on the way.
    func lease(host: String, address: IPAddress) -> Lease {
        let key = Key(host: host, address: address)
        let now = ContinuousClock.now
        let (kept, idle) = entries.withLock { entries -> (HTTPClient?, [HTTPClient]) in
            let idle = entries.filter { $0.value.calls == 0 && now - $0.value.lastUsed > Self.idleLifetime }
            for key in idle.keys { entries[key] = nil }
            if var entry = entries[key] {
                entry.calls += 1
                entry.lastUsed = now
                entries[key] = entry
                return (entry.client, idle.values.map(\.client))
            }
            guard entries.count < Self.maximumClients else { return (nil, idle.values.map(\.client)) }
            let client = makeClient(key)
            entries[key] = Entry(client: client, calls: 1, lastUsed: now)
            return (client, idle.values.map(\.client))
        }
        for client in idle { _ = client.shutdown() }
        guard let kept else {
            let own = makeClient(key)
            return Lease(client: own, release: { try? await own.shutdown() })
        }
        return Lease(client: kept, release: { [weak self] in self?.release(key) })
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
