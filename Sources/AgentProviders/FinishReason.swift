import AgentSecrets

/// Why a provider ended a reply, in one vocabulary for every wire protocol.
public enum FinishReason: Hashable, Sendable, CustomStringConvertible {
    /// The model finished its answer or hit a stop sequence (OpenAI `stop`, Anthropic `end_turn`, `stop_sequence`).
    case stop
    /// The reply reached `max_tokens` or the context window (OpenAI `length`, Anthropic `max_tokens`).
    case length
    /// The provider withheld or cut the reply (OpenAI `content_filter`, Anthropic `refusal`).
    case contentFilter
    /// The model asked for a tool (OpenAI `tool_calls`, `function_call`, Anthropic `tool_use`).
    case toolCalls
    /// A reason this vocabulary does not know, as a short sanitized word.
    case other(String)

    /// The reason as stored and shown: `stop`, `length`, `content_filter`, `tool_calls` or the other word.
    public var name: String {
        switch self {
        case .stop: "stop"
        case .length: "length"
        case .contentFilter: "content_filter"
        case .toolCalls: "tool_calls"
        case .other(let word): word
        }
    }

    public var description: String { name }

    /// Maps an OpenAI Chat Completions `finish_reason`.
    init(openAI reason: String) {
        switch reason {
        case "stop": self = .stop
        case "length": self = .length
        case "content_filter": self = .contentFilter
        case "tool_calls", "function_call": self = .toolCalls
        default: self = .other(ProviderFailure.sanitizedKind(reason))
        }
    }

    /// Maps an Anthropic Messages `stop_reason`.
    init(anthropic reason: String) {
        switch reason {
        case "end_turn", "stop_sequence": self = .stop
        case "max_tokens", "model_context_window_exceeded": self = .length
        case "refusal": self = .contentFilter
        case "tool_use": self = .toolCalls
        default: self = .other(ProviderFailure.sanitizedKind(reason))
        }
    }
}

extension FinishReason {
    /// This reason, its word forgotten if it repeats the call's key, as a failure's kind is.
    func redacting(_ key: Secret) -> FinishReason {
        guard case .other(let word) = self, ProviderFailure.echoes(word, of: key) else { return self }
        return .other(ProviderFailure.unknownKind)
    }
}
