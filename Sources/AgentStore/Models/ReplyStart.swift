import Foundation

/// A connection linked to an agent, as a candidate for calling a model provider.
public struct LinkedConnection: Sendable, Equatable {
    public let id: ConnectionID
    public let service: String
    /// The connection's `metadata.base_url`, when it sets one.
    public let baseURL: String?
}

/// What it takes to ask an agent for a reply in a conversation.
public struct NewReply: Sendable {
    /// The user's message.
    public var content: String
    /// The message it follows; by default the conversation's latest.
    public var parentID: MessageID?
    /// Whether it follows no message: a new first message of the conversation, beside its first (which was
    /// edited and sent again). Not with a `parentID`.
    public var startsAnew: Bool
    /// Whether `parentID` must still be the last message of its thread: a conflict when another message
    /// follows it already (sent from another tab since this client read the thread), rather than a new
    /// version beside that message which nobody asked for. Only with a `parentID`.
    public var parentMustBeLast: Bool
    /// The estimated tokens of the conversation the call sends, when the client sends it (the
    /// OpenAI-compatible endpoint) instead of the stored one being read back; the system prompt is added.
    public var sentTokens: Int?
    /// A `max_tokens` asked for with the message, which may only lower the agent's.
    public var maximumTokens: Int?

    public init(
        content: String, parentID: MessageID? = nil, startsAnew: Bool = false, parentMustBeLast: Bool = false,
        sentTokens: Int? = nil, maximumTokens: Int? = nil
    ) {
        self.content = content
        self.parentID = parentID
        self.startsAnew = startsAnew
        self.parentMustBeLast = parentMustBeLast
        self.sentTokens = sentTokens
        self.maximumTokens = maximumTokens
    }
}

/// How much of a conversation a provider call may carry, in estimated tokens.
public struct ContextBudget: Sendable, Equatable {
    /// Prompt tokens at most: the system prompt is always kept, the oldest messages are dropped first.
    public var promptTokens: Int
    /// The reply's bound when the agent sets no `max_tokens`: every call is bounded, so a budget can
    /// reserve what a call may spend before it starts.
    public var defaultMaximumTokens: Int
    /// At most this many messages are read back through the conversation.
    public var maximumMessages: Int

    public init(promptTokens: Int = 24_000, defaultMaximumTokens: Int = 4096, maximumMessages: Int = 200) {
        self.promptTokens = promptTokens
        self.defaultMaximumTokens = defaultMaximumTokens
        self.maximumMessages = maximumMessages
    }

    /// A rough token count of text: four ASCII characters a token, rounded up, and a token for every other
    /// character. Used for the context budget, reservations, and usage a provider did not report. Four bytes
    /// a token, as English averages, made a Chinese character three quarters of a token where tokenizers
    /// count one or more: a budget reserved too little for such a prompt, and the month went past it.
    public static func estimatedTokens(_ text: String) -> Int {
        var ascii = 0
        var others = 0
        for byte in text.utf8 {
            if byte < 0x80 {
                ascii += 1
            } else if byte >= 0xC0 {
                others += 1  // the first byte of a character beyond ASCII; its continuation bytes count nothing
            }
        }
        return (ascii + 3) / 4 + others
    }
}

/// A reply, started: its messages stored, its first provider call in the ledger with its tokens reserved.
public struct ReplyStart: Sendable {
    public let agent: Agent
    /// The message answered: stored by this start, or the parent of a regenerated reply.
    public let prompt: Message
    /// The reply, stored with status `streaming` and the agent's model.
    public let reply: Message
    /// The conversation up to and including `prompt`, oldest first: the newest messages that fit the budget.
    public let history: [Message]
    /// The agent's linked connections, in call order (as set, then as linked).
    public let connections: [LinkedConnection]
    /// The `max_tokens` the call is sent with.
    public let maximumTokens: Int
    /// The ledger row of the first call.
    public let call: ProviderCallID
    /// The key the first call uses, when the start was asked to open one and could.
    public let firstKey: OpenedKey?
}

/// A provider call without stored messages (the OpenAI-compatible endpoint), started and reserved.
public struct CompletionStart: Sendable {
    public let agent: Agent
    public let connections: [LinkedConnection]
    public let maximumTokens: Int
    public let call: ProviderCallID
    /// The key the first call uses, when the start was asked to open one and could.
    public let firstKey: OpenedKey?
}

/// A row of the call ledger.
public struct ProviderCallID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A new id, chosen before its row is written: an attempt whose statement went unanswered (the
    /// connection lost at its commit) can still be settled by it.
    public static func make() -> ProviderCallID { ProviderCallID(rawValue: TimeOrderedID.make()) }
}

/// How one provider call ended, as the ledger records it.
public struct CallSettlement: Sendable, Equatable {
    public var status: Message.Status
    public var connectionID: ConnectionID?
    public var usage: MessageUsage
    public var latencyMilliseconds: Int?
    public var timeToFirstTokenMilliseconds: Int?
    /// A problem type, never provider text.
    public var error: String?

    public init(
        status: Message.Status, connectionID: ConnectionID?, usage: MessageUsage, latencyMilliseconds: Int?,
        timeToFirstTokenMilliseconds: Int?, error: String?
    ) {
        self.status = status
        self.connectionID = connectionID
        self.usage = usage
        self.latencyMilliseconds = latencyMilliseconds
        self.timeToFirstTokenMilliseconds = timeToFirstTokenMilliseconds
        self.error = error
    }
}

/// How a reply ended: its text and the settlement of its last call.
public struct ReplySettlement: Sendable, Equatable {
    public var content: String
    public var finishReason: String?
    public var call: CallSettlement

    public init(content: String, finishReason: String?, call: CallSettlement) {
        self.content = content
        self.finishReason = finishReason
        self.call = call
    }
}

/// What every start of a provider call shares: the connections to try.
public protocol ProviderCallStart: Sendable {
    /// The agent's linked connections, in call order (as set, then as linked).
    var connections: [LinkedConnection] { get }
}

extension ReplyStart: ProviderCallStart {}

extension CompletionStart: ProviderCallStart {}
