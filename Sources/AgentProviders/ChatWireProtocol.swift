import Foundation

/// A chat provider's wire protocol: how a request is encoded and how its answer is read.
///
/// Everything protocol-specific stays behind this type, so the code that calls providers over HTTP
/// handles only bytes, ``ChatReply`` and ``ReplyEvent``.
public enum ChatWireProtocol: String, Hashable, Sendable, CaseIterable {
    /// OpenAI Chat Completions, also spoken by Ollama, vLLM, llama.cpp server, OpenRouter and others.
    case openAI = "openai"
    /// Anthropic Messages.
    case anthropic

    /// The `max_tokens` sent when a request sets none and the protocol requires one (Anthropic).
    public static let defaultMaximumTokens = 4096

    /// The protocol of a connection's `service`, nil when the service is no chat provider.
    public init?(service: String) {
        self.init(rawValue: service)
    }

    /// Whether a call of `model` may be silent for minutes before its first chunk: OpenAI's reasoning
    /// models stream nothing while they think. (Anthropic sends `ping` events meanwhile.)
    func thinksInSilence(model: String) -> Bool {
        self == .openAI && OpenAIChatRequestBody.reasons(model)
    }

    /// The path of the chat endpoint, appended to the base URL (`https://api.openai.com`, `https://api.anthropic.com`).
    public var chatPath: String {
        switch self {
        case .openAI: "/v1/chat/completions"
        case .anthropic: "/v1/messages"
        }
    }

    /// The path and query of the list of models the key may use: Anthropic's comes in pages, of at most
    /// 1,000 models (the first is enough); OpenAI's comes whole.
    public var modelsPath: String {
        switch self {
        case .openAI: "/v1/models"
        case .anthropic: "/v1/models?limit=1000"
        }
    }

    /// Headers every request of this protocol carries, apart from the key's.
    public var fixedHeaders: [(name: String, value: String)] {
        switch self {
        case .openAI: [("content-type", "application/json")]
        case .anthropic: [("content-type", "application/json"), ("anthropic-version", "2023-06-01")]
        }
    }

    // MARK: Requests

    /// The request's stop sequences that this protocol's provider refuses for its model, which the
    /// platform applies to the reply itself (``StopSequenceCut``) instead of sending: every one for
    /// OpenAI's reasoning models, which refuse `stop`; those of whitespace alone for Anthropic, which
    /// refuses them. A client's `stop` then works whichever model the agent uses.
    func stopSequencesCutHere(for request: ChatRequest) -> [String] {
        switch self {
        case .openAI: OpenAIChatRequestBody.reasons(request.model) ? request.stopSequences : []
        case .anthropic: request.stopSequences.filter { $0.allSatisfy(\.isWhitespace) }
        }
    }

    /// The request's stop sequences that go to the provider.
    func stopSequencesSent(for request: ChatRequest) -> [String] {
        let cutHere = stopSequencesCutHere(for: request)
        return request.stopSequences.filter { !cutHere.contains($0) }
    }

    /// The JSON body that asks this protocol's provider for `request`.
    public func requestBody(for request: ChatRequest) throws -> Data {
        switch self {
        case .openAI:
            try ProviderJSON.encode(OpenAIChatRequestBody(request))
        case .anthropic:
            try ProviderJSON.encode(AnthropicMessagesRequestBody(request, defaultMaximumTokens: Self.defaultMaximumTokens))
        }
    }

    // MARK: Replies

    /// Reads a whole, non-streamed response body: the reply, or the provider's error as a failure.
    public func decodeReply(_ body: Data) throws(ProviderFailure) -> ChatReply {
        switch self {
        case .openAI: try ProviderJSON.decode(OpenAIChatCompletion.self, from: body).reply()
        case .anthropic: try ProviderJSON.decode(AnthropicMessage.self, from: body).reply()
        }
    }

    /// A decoder for one streamed response body.
    public func makeStreamDecoder(maximumEventSize: Int = ReplyStreamDecoder.defaultMaximumEventSize) -> ReplyStreamDecoder {
        ReplyStreamDecoder(protocol: self, maximumEventSize: maximumEventSize)
    }
}
