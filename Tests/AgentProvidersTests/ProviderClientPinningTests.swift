import ProviderEmulator
import Testing

@testable import AgentProviders

/// The pinned path of a host name: the call connects to the checked address, not to what DNS says.
@Suite struct ProviderClientPinningTests {
    @Test func aPinnedCallConnectsToTheCheckedAddressUnderItsName() async throws {
        try await EmulatedProvider.run { provider in
            let port = try #require(provider.baseURL.split(separator: ":").last.flatMap { Int($0) })
            // `.invalid` never resolves (RFC 6761): only the pin can bring the call to the emulator.
            let endpoint = try ProviderEndpoint(wireProtocol: .openAI, baseURL: "http://provider.invalid:\(port)")
            let loopback = try #require(IPAddress(literal: "127.0.0.1"))
            let call = try await within {
                try await provider.client.open(
                    chat("pinned", model: "m"), endpoint: endpoint, apiKey: provider.key, target: .pinned(loopback))
            }
            #expect(call.ownClient != nil)
            await call.release()
            let recorded = try #require(await provider.emulator.recordedRequests().first)
            #expect(recorded.host == "provider.invalid:\(port)")
            #expect(recorded.keySHA256 == provider.keyHash)
        }
    }
}
