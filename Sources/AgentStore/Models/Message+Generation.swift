import Foundation

extension Message {
    /// Where a message stands. A user's message is `complete` when stored; a reply starts `streaming`
    /// and ends in one of the other three.
    public enum Status: String, Sendable, CaseIterable, Codable {
        case streaming, complete, failed, cancelled
    }

    /// How a reply was generated: by which model through which connection, at what cost and speed, and
    /// how it ended. Nil for messages nobody generated.
    public struct Generation: Sendable, Equatable {
        public var model: String?
        public var connectionID: ConnectionID?
        public var usage: MessageUsage?
        public var latencyMilliseconds: Int?
        public var timeToFirstTokenMilliseconds: Int?
        /// The provider's reason, such as `stop` or `length`.
        public var finishReason: String?
        /// A problem type (a short identifier such as `provider-unavailable`), never provider text.
        public var error: String?

        public init(
            model: String? = nil, connectionID: ConnectionID? = nil, usage: MessageUsage? = nil,
            latencyMilliseconds: Int? = nil, timeToFirstTokenMilliseconds: Int? = nil, finishReason: String? = nil,
            error: String? = nil
        ) {
            self.model = model
            self.connectionID = connectionID
            self.usage = usage
            self.latencyMilliseconds = latencyMilliseconds
            self.timeToFirstTokenMilliseconds = timeToFirstTokenMilliseconds
            self.finishReason = finishReason
            self.error = error
        }

        var isEmpty: Bool { self == Generation() }
    }

    /// The error of a reply the platform's shutdown stopped at the end of its grace (status `cancelled`,
    /// its text kept): unlike a client's cancel, it told the client to try again.
    public static let stoppedByShutdown = "unavailable"

    /// Whether the platform's shutdown stopped this reply (see ``stoppedByShutdown``).
    public var wasStoppedByShutdown: Bool {
        status == .cancelled && generation?.error == Self.stoppedByShutdown
    }

    /// Whether a retry of the request that started this reply gets a new one: the reply failed, or the
    /// platform's shutdown stopped it; a retry is what either asked for.
    public var isAnsweredAgainOnRetry: Bool {
        status == .failed || wasStoppedByShutdown
    }
}

/// The tokens one reply took, as the provider reported them or, when it reported none, as estimated.
public struct MessageUsage: Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// The provider reported no usage and these counts are estimates from the text's length.
    public var estimated: Bool

    public init(promptTokens: Int, completionTokens: Int, estimated: Bool) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.estimated = estimated
    }

    public var totalTokens: Int { promptTokens + completionTokens }

    /// No tokens, as reported: a call that used none, or an end that knows of none.
    public static let zero = MessageUsage(promptTokens: 0, completionTokens: 0, estimated: false)
}
