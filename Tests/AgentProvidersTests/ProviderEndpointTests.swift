import Testing

@testable import AgentProviders

/// Base URL validation and the chat URL built from it.
@Suite struct ProviderEndpointTests {
    @Test func defaultsToThePublicAPIs() {
        #expect(ProviderEndpoint(wireProtocol: .openAI).chatURL == "https://api.openai.com/v1/chat/completions")
        #expect(ProviderEndpoint(wireProtocol: .anthropic).chatURL == "https://api.anthropic.com/v1/messages")
    }

    @Test func keepsAPathAndDropsTrailingSlashes() throws {
        let endpoint = try ProviderEndpoint(wireProtocol: .openAI, baseURL: "HTTP://Example.COM:8081/script/chunks=2/")
        #expect(endpoint.chatURL == "http://example.com:8081/script/chunks=2/v1/chat/completions")
        #expect(endpoint.host == "example.com")
        #expect(endpoint.effectivePort == 8081)
        #expect(try ProviderEndpoint(wireProtocol: .openAI, baseURL: "https://[::1]").host == "::1")
        #expect(try ProviderEndpoint(wireProtocol: .openAI, baseURL: "https://[::1]").effectivePort == 443)
    }

    @Test(arguments: [
        ("ftp://example.com", ProviderEndpoint.InvalidBaseURL.unsupportedScheme),
        ("example.com", .unsupportedScheme),
        ("http://", .missingHost),
        ("http://user:secret@example.com", .hasUserInfo),
        ("http://example.com/?key=secret", .hasQueryOrFragment),
        ("http://example.com/#x", .hasQueryOrFragment),
        ("http://exa mple.com", .malformed),
    ])
    func refusesBadBaseURLs(_ baseURL: String, expected: ProviderEndpoint.InvalidBaseURL) {
        #expect(throws: expected) { try ProviderEndpoint(wireProtocol: .openAI, baseURL: baseURL) }
    }
}
