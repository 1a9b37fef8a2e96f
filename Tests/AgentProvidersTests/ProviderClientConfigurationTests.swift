import AsyncHTTPClient
import Testing

@testable import AgentProviders

/// How the client for provider calls is made.
@Suite struct ProviderClientConfigurationTests {
    /// Each streamed reply holds a connection of its own: over HTTP/2, the client would queue every reply past
    /// the server's stream limit on one connection until its head timed out, charged as possibly billed.
    @Test func callsGoOverHTTP1() {
        let configuration = ProviderClient.httpClientConfiguration()
        #expect(configuration.httpVersion == .http1Only)
    }
}
