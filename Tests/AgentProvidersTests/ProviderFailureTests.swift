import Testing

@testable import AgentProviders

@Suite struct ProviderFailureTests {
    @Test(arguments: [
        ("overloaded_error", "overloaded_error"), ("rate-limit.v2", "rate-limit.v2"), ("429", "429"),
        ("", "unknown"), ("has space", "unknown"), ("ünïcode", "unknown"), ("quote\"", "unknown"),
        (String(repeating: "a", count: 64), String(repeating: "a", count: 64)),
        (String(repeating: "a", count: 65), "unknown"),
    ])
    func keepsOnlyIdentifierLikeKinds(_ raw: String, kept: String) {
        #expect(ProviderFailure.sanitizedKind(raw) == kept)
    }

    @Test func takesTheFirstUsableKind() {
        #expect(ProviderFailure.reported(kinds: nil, "code_1") == .provider(kind: "code_1"))
        #expect(ProviderFailure.reported(kinds: "not usable", "code_1") == .provider(kind: "code_1"))
        #expect(ProviderFailure.reported(kinds: nil, nil) == .provider(kind: "unknown"))
    }

    @Test func descriptionsSayWhatHappenedInOurWords() {
        #expect(String(describing: ProviderFailure.provider(kind: "overloaded_error")) == "provider error overloaded_error")
        #expect(
            String(describing: ProviderFailure.protocolViolation(.endedEarly))
                == "protocol violation: the stream ended before the reply did")
        #expect(String(describing: FinishReason.contentFilter) == "content_filter")
    }

    @Test func usageMergesFieldByField() {
        let merged = TokenUsage(prompt: 10, completion: 1).merging(TokenUsage(prompt: nil, completion: 20))
        #expect(merged == TokenUsage(prompt: 10, completion: 20))
    }
}
