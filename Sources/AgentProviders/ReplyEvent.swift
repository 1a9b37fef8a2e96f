import AgentSecrets

/// What a provider's reply stream says, whatever its wire protocol.
///
/// A stream yields text and usage in any order and ends with exactly one ``finished(_:)`` or
/// ``failed(_:)``; nothing follows either.
public enum ReplyEvent: Hashable, Sendable {
    /// The next piece of the reply's text.
    case text(String)
    /// The token counts known so far; merge them with ``TokenUsage/merging(_:)``.
    case usage(TokenUsage)
    /// The provider ended the reply normally, for this reason when it gave one.
    case finished(FinishReason?)
    /// The reply broke off: the provider reported an error or broke its protocol. Text so far stands.
    case failed(ProviderFailure)
}

extension ReplyEvent {
    /// The end of a reply that gave `text` or not, for `reason`: with neither text nor a reason it is a
    /// server or proxy that gave up, not an empty answer, and taken as one it would be stored as an empty
    /// `complete` reply. Every wire protocol's end, streamed or whole, is judged so.
    static func ending(_ reason: FinishReason?, gaveText: Bool) throws(ProviderFailure) -> ReplyEvent {
        guard reason != nil || gaveText else { throw .protocolViolation(.endedEarly) }
        return .finished(reason)
    }

    /// This event, a failure's kind or a finish reason's word forgotten if it repeats the call's key (see
    /// `ProviderFailure.redacting`): both are stored and shown.
    func redacting(_ key: Secret) -> ReplyEvent {
        switch self {
        case .failed(let failure): .failed(failure.redacting(key))
        case .finished(let reason?): .finished(reason.redacting(key))
        case .text, .usage, .finished(nil): self
        }
    }
}
