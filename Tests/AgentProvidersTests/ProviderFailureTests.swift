import AgentSecrets
import AsyncHTTPClient
import Foundation
import Testing

@testable import AgentProviders

@Suite struct ProviderFailureTests {
    @Test(arguments: [
        ("overloaded_error", "overloaded_error"), ("rate-limit.v2", "rate-limit.v2"), ("429", "429"),
        ("", "unknown"), ("has space", "unknown"), ("ünïcode", "unknown"), ("quote\"", "unknown"),
        (String(repeating: "a", count: 40), String(repeating: "a", count: 40)),
        (String(repeating: "a", count: 41), "unknown"),
    ])
    func keepsOnlyIdentifierLikeKinds(_ raw: String, kept: String) {
        #expect(ProviderFailure.sanitizedKind(raw) == kept)
    }

    @Test func takesTheFirstUsableKind() {
        #expect(ProviderFailure.reported(kinds: nil, "code_1") == .provider(kind: "code_1"))
        #expect(ProviderFailure.reported(kinds: "not usable", "code_1") == .provider(kind: "code_1"))
        #expect(ProviderFailure.reported(kinds: nil, nil) == .provider(kind: "unknown"))
    }

    /// Each server's way of refusing a prompt past the context window, as its 4xx body says it: by a code,
    /// a type, or words alone (and vLLM's object at the top level); other refusals keep their kind.
    @Test(arguments: [
        (#"{"error":{"message":"x","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#, true),
        (
            #"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 9 tokens > 3 maximum"}}"#,
            true
        ),
        (
            #"{"object":"error","message":"This model's maximum context length is 4096 tokens.","type":"BadRequestError","code":400}"#,
            true
        ),
        (
            #"{"error":{"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}}"#,
            true
        ),
        (#"{"error":{"message":"input length and max_tokens exceed context limit","type":"invalid_request_error"}}"#, true),
        (
            #"{"error":{"message":"Incorrect API key provided: sk-abc","type":"invalid_request_error","code":"invalid_api_key"}}"#,
            false
        ),
        (#"{"type":"error","error":{"type":"not_found_error","message":"model: claude-x"}}"#, false),
        (#"{"error":"context length"}"#, false),
        ("not json", false),
    ])
    func aRefusalForTheContextWindowIsRecognised(_ body: String, exceeds: Bool) {
        let failure = ProviderErrorObject.refusal(in: Data(body.utf8))
        #expect((failure == .contextLengthExceeded) == exceeds)
        if !exceeds, case .provider(let kind) = failure { #expect(!kind.contains("sk-")) }
    }

    @Test func aRefusalKeepsItsTypeElseItsCode() {
        let vLLM = #"{"object":"error","message":"bad","type":"BadRequestError","code":400}"#
        #expect(ProviderErrorObject.refusal(in: Data(vLLM.utf8)) == .provider(kind: "BadRequestError"))
        let coded = #"{"error":{"message":"m","type":null,"code":"invalid_api_key"}}"#
        #expect(ProviderErrorObject.refusal(in: Data(coded.utf8)) == .provider(kind: "invalid_api_key"))
    }

    /// A server that echoes the call's key as its error's type or code: the kind is forgotten, the whole
    /// key or any eight characters of it, in either case; kinds that share nothing with the key stay.
    @Test func aKindThatRepeatsTheKeyIsForgotten() {
        let key = Secret("sk-abcdef0123456789abcdef0123456789")
        for echoed in [
            "sk-abcdef0123456789abcdef0123456789", "key_0123456789ab", "abcdef01", "SK-ABCDEF0123456789ABCDEF0123456789",
        ] {
            #expect(ProviderFailure.provider(kind: echoed).redacting(key) == .provider(kind: "unknown"), "\(echoed)")
            #expect(ReplyEvent.failed(.provider(kind: echoed)).redacting(key) == .failed(.provider(kind: "unknown")))
        }
        for kept in ["overloaded_error", "server_error", "sk-abcd", "invalid_request_error"] {
            #expect(ProviderFailure.provider(kind: kept).redacting(key) == .provider(kind: kept), "\(kept)")
        }
        #expect(ProviderFailure.connectionLost.redacting(key) == .connectionLost)
        #expect(ProviderFailure.provider(kind: "abcdef01").redacting(Secret("short")) == .provider(kind: "abcdef01"))
        // Characters whose lower case is shorter (Kelvin signs: "k" in one byte) are compared as they are: a key
        // of them once trapped the process.
        let kelvins = Secret(String(repeating: "\u{212A}", count: 3))
        #expect(ProviderFailure.provider(kind: "invalid_api_key").redacting(kelvins) == .provider(kind: "invalid_api_key"))
        #expect(ProviderFailure.provider(kind: "kkkkkkkkk").redacting(kelvins) == .provider(kind: "kkkkkkkkk"))
    }

    /// A finish reason is stored and shown as a failure's kind is: one that repeats the key is forgotten too.
    @Test func aFinishReasonThatRepeatsTheKeyIsForgotten() {
        let key = Secret("sk-abcdef0123456789abcdef0123456789")
        let echoed = FinishReason(openAI: "sk-abcdef0123456789")
        #expect(echoed == .other("sk-abcdef0123456789"))
        #expect(ReplyEvent.finished(echoed).redacting(key) == .finished(.other("unknown")))
        #expect(ReplyEvent.finished(FinishReason(anthropic: "xabcdef0123")).redacting(key) == .finished(.other("unknown")))
        for kept: FinishReason? in [.stop, .length, .other("pause_turn"), nil] {
            #expect(ReplyEvent.finished(kept).redacting(key) == .finished(kept))
        }
    }

    /// Which failures before the first text let another key try: the provider's own trouble, not the prompt's.
    @Test func anotherKeyIsTriedForTheProvidersTroubleOnly() {
        for passing: ProviderFailure in [
            .provider(kind: "overloaded_error"), .provider(kind: "api_error"), .provider(kind: "server_error"),
            .provider(kind: "rate_limit_exceeded"), .connectionLost, .timedOut,
        ] {
            #expect(passing.allowsFallback, "\(passing)")
        }
        for repeating: ProviderFailure in [
            .provider(kind: "invalid_request_error"), .provider(kind: "unknown"), .contextLengthExceeded,
            .protocolViolation(.endedEarly),
        ] {
            #expect(!repeating.allowsFallback, "\(repeating)")
        }
    }

    /// A connection that was never made sent nothing, so nothing can have been billed; a head that never
    /// came may follow a request the provider read.
    @Test func aConnectTimeoutSentNothing() {
        #expect(ProviderClient.unreachable(HTTPClientError.connectTimeout) == .unreachable(.connectTimedOut))
        #expect(!ProviderClient.unreachable(HTTPClientError.connectTimeout).mayHaveBeenBilled)
        #expect(!ProviderClient.unreachable(HTTPClientError.tlsHandshakeTimeout).mayHaveBeenBilled)
        #expect(ProviderClient.unreachable(HTTPClientError.deadlineExceeded).mayHaveBeenBilled)
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
