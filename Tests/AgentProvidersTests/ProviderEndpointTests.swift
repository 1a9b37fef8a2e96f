import Testing

@testable import AgentProviders

/// Base URL validation and the chat URL built from it.
@Suite struct ProviderEndpointTests {
    @Test func defaultsToThePublicAPIs() {
        #expect(ProviderEndpoint(wireProtocol: .openAI).chatURL == "https://api.openai.com/v1/chat/completions")
        #expect(ProviderEndpoint(wireProtocol: .anthropic).chatURL == "https://api.anthropic.com/v1/messages")
    }

    /// A chat connection's endpoint from its service and stored base URL: the public API without one, none
    /// for another service or a base URL no longer valid; the list of models beside the chat path.
    @Test func aChatConnectionsEndpoint() {
        #expect(ProviderEndpoint(chatService: "openai", baseURL: nil)?.modelsURL == "https://api.openai.com/v1/models")
        #expect(
            ProviderEndpoint(chatService: "anthropic", baseURL: "http://127.0.0.1:8081/")?.modelsURL
                == "http://127.0.0.1:8081/v1/models?limit=1000")
        #expect(ProviderEndpoint(chatService: "github", baseURL: nil) == nil)
        #expect(ProviderEndpoint(chatService: "openai", baseURL: "ftp://example.com") == nil)
    }

    @Test func keepsAPathAndDropsTrailingSlashes() throws {
        let endpoint = try ProviderEndpoint(wireProtocol: .openAI, baseURL: "HTTP://Example.COM:8081/script/chunks=2/")
        #expect(endpoint.chatURL == "http://example.com:8081/script/chunks=2/v1/chat/completions")
        #expect(endpoint.host == "example.com")
        #expect(endpoint.effectivePort == 8081)
        #expect(try ProviderEndpoint(wireProtocol: .openAI, baseURL: "https://[::1]").host == "::1")
        #expect(try ProviderEndpoint(wireProtocol: .openAI, baseURL: "https://[::1]").effectivePort == 443)
        #expect(try ProviderEndpoint(wireProtocol: .openAI, baseURL: "http://model_server:8000/").host == "model_server")
        #expect(try ProviderEndpoint(wireProtocol: .openAI, baseURL: "http://10.0.0.7:11434").host == "10.0.0.7")
    }

    @Test(arguments: [
        ("ftp://example.com", ProviderEndpoint.InvalidBaseURL.unsupportedScheme),
        ("example.com", .unsupportedScheme),
        ("http://", .missingHost),
        ("http://user:secret@example.com", .hasUserInfo),
        ("http://example.com/?key=secret", .hasQueryOrFragment),
        ("http://example.com/#x", .hasQueryOrFragment),
        ("http://[::1", .malformed),
        ("http://exa mple.com", .unencodedCharacter),
        // Decoded after the authority was lowercased, `%52` is an `R`: the client would look up another host
        // than the one checked and pinned, and resolve it afresh.
        ("http://08080808.7f000001.%52bndr.us:8080", .unusualHost),
        ("http://api.%6fpenai.com", .unusualHost),
        ("http://b\u{FC}cher.example", .unencodedCharacter),
        // Some taken by the URL parser and encoded by the HTTP client: refused before either, whatever they do.
        ("http://example.com/a\r\nX-Injected: 1", .unencodedCharacter),
        ("http://example.com/a b HTTP/1.1", .unencodedCharacter),
        ("http://example.com/\u{FC}", .unencodedCharacter),
        ("http://example.com/a\u{7F}", .unencodedCharacter),
    ])
    func refusesBadBaseURLs(_ baseURL: String, expected: ProviderEndpoint.InvalidBaseURL) {
        #expect(throws: expected) { try ProviderEndpoint(wireProtocol: .openAI, baseURL: baseURL) }
    }
}
