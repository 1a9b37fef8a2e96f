import Foundation

/// One provider call of the tenant's ledger (`provider_calls`): what the tenant is billed for, each attempt of
/// a fallback its own call. Never the provider's text: `error` is a problem type.
public struct ProviderCallRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case running, complete, failed, cancelled
    }

    public let id: String
    public let agentID: String
    /// The reply it answered; nil for a completion not stored in a conversation.
    public let messageID: String?
    /// The connection whose key it used; nil where none was reached (refused before a key was opened).
    public let connectionID: String?
    public let model: String
    /// 1 for a request's first call, then one more for each connection tried after a failure.
    public let attempt: Int
    public let status: Status
    public let promptTokens: Int
    public let completionTokens: Int
    /// Whether the tokens are the platform's estimate (the provider reported none).
    public let usageEstimated: Bool
    public let latencyMilliseconds: Int?
    public let timeToFirstTokenMilliseconds: Int?
    public let error: String?
    public let startedAt: Date
    public let finishedAt: Date?
}
