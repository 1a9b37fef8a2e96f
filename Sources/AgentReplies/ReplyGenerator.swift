import AgentProviders
import AgentSecrets
import AgentStore
import EventLoopTasks
import Logging
import NIOCore

/// Generates agents' replies: calls the model provider through the agent's linked connections, with the
/// tenant's own keys, and stores and accounts what comes back.
///
/// A generation runs on a task of its own, not the request's: a client that goes away does not stop it
/// (the platform's time limit and the call's `max_tokens` do), and whoever follows it later gets
/// everything (``RunningReply/follow()``). Its outcome is stored in every case, with the usage known, so
/// that budgets see every call.
public struct ReplyGenerator: Sendable {
    public let store: AgentStore
    public let client: ProviderClient
    public let running: RunningReplies
    /// The generations this instance may run at once, and each tenant's share (``ReplySettings/maximumRunning``).
    public let slots: GenerationSlots
    public let settings: ReplySettings
    /// This instance's replies whose text goes to followers on other instances.
    let relays: ReplyRelays
    /// This instance's followers of replies that run on other instances.
    let relayedFollowers = RelayedReplyFollowers()
    let metrics: ProviderCallMetrics
    let logger: Logger

    public init(
        store: AgentStore, client: ProviderClient, settings: ReplySettings, metrics: ProviderCallMetrics = ProviderCallMetrics(),
        logger: Logger
    ) {
        self.store = store
        self.client = client
        self.running = RunningReplies()
        self.slots = GenerationSlots(capacity: settings.maximumRunning)
        self.settings = settings
        self.relays = ReplyRelays(interval: settings.relayInterval)
        self.metrics = metrics
        self.logger = logger
    }

    /// The connection services that can answer chats.
    public static let chatServices: Set<String> = Set(ChatWireProtocol.allCases.map(\.rawValue))

    // MARK: Starting

    /// A place for one of `tenant`'s generations, to be taken before anything of the request is stored and
    /// handed to `generate`, which holds it until the generation ends.
    public func admit(_ tenant: UserID) throws(GenerationSlots.Refusal) -> GenerationSlot {
        try slots.take(for: tenant)
    }

    /// Generates the reply that `start` stored, from the stored conversation.
    public func generate(_ start: ReplyStart, tenant: UserID, slot: GenerationSlot, requestID: String?) async -> RunningReply {
        let messages = start.history.compactMap(ChatMessage.init(stored:))
        return await generate(
            CallPlan(start, messages: messages), tenant: tenant, slot: slot, requestID: requestID,
            reply: runningReply(of: tenant, started: start.reply))
    }

    /// Generates the reply that `start` stored, from the conversation a client sent (the OpenAI-compatible
    /// endpoint with a conversation to store the exchange in), ending at the client's stop sequences.
    public func generate(
        _ start: ReplyStart, messages: [ChatMessage], stopSequences: [String] = [], tenant: UserID, slot: GenerationSlot,
        requestID: String?
    ) async -> RunningReply {
        await generate(
            CallPlan(start, messages: messages, stopSequences: stopSequences), tenant: tenant, slot: slot,
            requestID: requestID,
            reply: runningReply(of: tenant, started: start.reply))
    }

    /// Generates a reply that is not stored (the OpenAI-compatible endpoint); only the ledger records it.
    public func generate(
        _ start: CompletionStart, messages: [ChatMessage], stopSequences: [String] = [], tenant: UserID,
        slot: GenerationSlot, requestID: String?
    ) async -> RunningReply {
        await generate(
            CallPlan(start, messages: messages, stopSequences: stopSequences), tenant: tenant, slot: slot,
            requestID: requestID,
            reply: runningReply(of: tenant, started: nil))
    }

    /// A reply of `tenant`'s to run, its followers woken by a timer of the provider client's loops.
    private func runningReply(of tenant: UserID, started: Message?) -> RunningReply {
        RunningReply(
            tenant: tenant, started: started, keepAliveInterval: settings.keepAliveInterval,
            timers: client.eventLoopGroup.any())
    }

    private func generate(
        _ plan: CallPlan, tenant: UserID, slot: GenerationSlot, requestID: String?, reply: RunningReply
    ) async -> RunningReply {
        slot.starts()
        let beforeTheDrain = running.insert(reply)
        let generation = ReplyGeneration(
            plan: plan, tenant: tenant, requestID: requestID, reply: reply, running: running, store: store, client: client,
            settings: settings, metrics: metrics, logger: logger)
        let metrics = self.metrics
        // The time limit is a timer of the provider client's event loops rather than a sleeping task: the
        // server's tasks run on NIO's loops, which do not take over Swift's delayed jobs, so a sleep woke
        // Dispatch's timer thread as each reply started (seen with `strace`), on its way to the first token.
        let timeLimit = client.eventLoopGroup.any().scheduleTask(in: TimeAmount(settings.timeLimit)) {
            Task { await reply.halt(.timeLimit) }
        }
        metrics.generationStarted()
        let task = Task(executorPreference: EventLoopTaskExecutor.current) {
            await generation.run()
            metrics.generationEnded()
            timeLimit.cancel()
            running.remove(reply)
            withExtendedLifetime(slot) {}
        }
        await reply.onStop { task.cancel() }
        // Started as the drain began, it is stopped at once (and stored `cancelled`), as the drain stops
        // those it waited for, rather than run on past it unseen.
        if !beforeTheDrain { await reply.halt(.shutdown) }
        return reply
    }

    // MARK: Keys

    /// What a start opens with its own statement: the key of the first connection a reply will call, so
    /// that the first call waits for no round trip of its own. When it cannot be opened there, the
    /// generation tries again and records why it failed.
    public func keyOpening(for purpose: KeyPurpose) -> KeyOpening {
        KeyOpening(purpose: purpose) { ReplyGeneration.candidates($0).first?.0.id }
    }

    // MARK: Stopping

    /// Stops the tenant's replies among `replies` that run here (their messages were deleted; other
    /// instances stop theirs when the deletion's published cancels reach them).
    public func stop(_ replies: [MessageID], of tenant: UserID) async {
        for id in replies { await running.reply(id, of: tenant)?.cancel() }
    }

    /// Stops what a deleted account left running here: its `replies` and its completions that store none.
    /// (Other instances stop their stored replies when the deletion's published cancels reach them; a
    /// completion there runs on to its end, its reservation counted in the month's tokens.)
    public func stopAccount(_ replies: [MessageID], of tenant: UserID) async {
        await stop(replies, of: tenant)
        for completion in running.unstored(of: tenant) { await completion.cancel() }
    }

    /// Stops every running reply (the platform is shutting down); each is stored as `cancelled`.
    public func stopAll() async {
        for reply in running.all() { await reply.halt(.shutdown) }
    }
}

/// What a provider call is made with, whichever way it started.
struct CallPlan: Sendable {
    let agent: Agent
    let connections: [LinkedConnection]
    let maximumTokens: Int
    let call: ProviderCallID
    /// The stored reply, when there is one.
    let replyID: MessageID?
    /// The conversation, oldest first, without the agent's system prompt.
    let messages: [ChatMessage]
    /// The first candidate's key, opened by the statement that started the call.
    let firstKey: OpenedKey?
    let stopSequences: [String]

    init(_ start: ReplyStart, messages: [ChatMessage], stopSequences: [String] = []) {
        self.stopSequences = stopSequences
        firstKey = start.firstKey
        agent = start.agent
        connections = start.connections
        maximumTokens = start.maximumTokens
        call = start.call
        replyID = start.reply.id
        self.messages = messages
    }

    init(_ start: CompletionStart, messages: [ChatMessage], stopSequences: [String]) {
        self.stopSequences = stopSequences
        firstKey = start.firstKey
        agent = start.agent
        connections = start.connections
        maximumTokens = start.maximumTokens
        call = start.call
        replyID = nil
        self.messages = messages
    }

    /// The request: the agent's system prompt first, then the conversation, with the agent's settings.
    var request: ChatRequest {
        let system = agent.systemPrompt.isEmpty ? [] : [ChatMessage(role: .system, content: agent.systemPrompt)]
        return ChatRequest(
            model: agent.model, messages: system + messages, temperature: agent.temperature, maximumTokens: maximumTokens,
            stream: true, stopSequences: stopSequences)
    }
}

extension ChatMessage {
    /// A stored message as a turn of the conversation; tool messages are not sent.
    init?(stored message: Message) {
        switch message.role {
        case .user: self.init(role: .user, content: message.content)
        case .assistant: self.init(role: .assistant, content: message.content)
        case .system: self.init(role: .system, content: message.content)
        case .tool: return nil
        }
    }
}
