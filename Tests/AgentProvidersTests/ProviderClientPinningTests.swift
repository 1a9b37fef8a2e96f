import AsyncHTTPClient
import ProviderEmulator
import Testing

@testable import AgentProviders

/// The pinned path of a host name: the call connects to the checked address, not to what DNS says, and
/// calls to one host and address reuse one client and its connections.
@Suite struct ProviderClientPinningTests {
    /// Calls `provider.invalid` (which never resolves, RFC 6761) pinned to loopback, reading the whole answer.
    static func pinnedCall(_ provider: EmulatedProvider, to pins: [String] = ["127.0.0.1"]) async throws -> HTTPClient {
        let port = try #require(provider.baseURL.split(separator: ":").last.flatMap { Int($0) })
        let endpoint = try ProviderEndpoint(wireProtocol: .openAI, baseURL: "http://provider.invalid:\(port)")
        let addresses = try pins.map { try #require(IPAddress(literal: $0)) }
        return try await within {
            let call = try await provider.client.open(
                chat("pinned", model: "m"), endpoint: endpoint, apiKey: provider.key, target: .pinned(addresses))
            for try await _ in call.response.body {}
            await call.release()
            return call.client
        }
    }

    @Test func aPinnedCallConnectsToTheCheckedAddressUnderItsName() async throws {
        try await EmulatedProvider.run { provider in
            let client = try await Self.pinnedCall(provider)
            #expect(client !== provider.client.httpClient)
            let recorded = try #require(await provider.emulator.recordedRequests().first)
            #expect(recorded.host?.hasPrefix("provider.invalid:") == true)
            #expect(recorded.keySHA256 == provider.keyHash)
        }
    }

    /// A host's checked addresses are tried in turn while one refuses the connection (here 127.0.0.2, where
    /// nothing listens): the call went to the first address alone, failing every call while it was down.
    /// (The HTTP client retries a refused connection until its connect timeout, here two seconds: with half
    /// a second, the connection to the address that answers once took longer among the parallel tests.)
    @Test func anAddressThatRefusesTheConnectionLeavesTheCallToTheNext() async throws {
        let timeouts = ProviderTimeouts(connect: .seconds(2), responseHead: .seconds(30), idle: .seconds(30))
        try await EmulatedProvider.run(timeouts: timeouts) { provider in
            _ = try await Self.pinnedCall(provider, to: ["127.0.0.2", "127.0.0.1"])
            #expect(await provider.emulator.recordedRequests().count == 1)
            // Only the address that answered keeps a client: a refusing one takes no place.
            #expect(provider.client.pinnedClients.count == 1)
        }
    }

    /// Each call once made a client of its own, and so a new connection (a TLS handshake to a real provider).
    @Test func callsToOneHostAndAddressReuseOneClientAndItsConnection() async throws {
        try await EmulatedProvider.run { provider in
            let first = try await Self.pinnedCall(provider)
            let second = try await Self.pinnedCall(provider)
            #expect(first === second)
            let ports = await provider.emulator.recordedRequests().map(\.clientPort)
            #expect(ports.count == 2 && ports[0] != nil && ports[0] == ports[1])

            // Another address of the host is another client, kept once a call connected through it.
            let elsewhere = provider.client.pinnedClients.lease(
                host: "provider.invalid", address: try #require(IPAddress(literal: "127.0.0.2")))
            #expect(elsewhere.client !== first)
            #expect(provider.client.pinnedClients.count == 1)
            elsewhere.connected()
            await elsewhere.release()
            #expect(provider.client.pinnedClients.count == 2)
            // One no call connected through is not kept.
            let refused = provider.client.pinnedClients.lease(
                host: "provider.invalid", address: try #require(IPAddress(literal: "127.0.0.3")))
            await refused.release()
            #expect(provider.client.pinnedClients.count == 2)
            await provider.client.shutdown()
            #expect(provider.client.pinnedClients.count == 0)
        }
    }
}
