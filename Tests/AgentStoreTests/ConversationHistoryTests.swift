import AgentStore
import AgentTestSupport
import Testing

/// What a reply's call carries of its conversation: the newest messages that fit the context budget, read
/// back along their parents; failed replies neither sent nor counted.
@Suite struct ConversationHistoryTests {
    private static let conversation = ConversationID(rawValue: "history")!

    /// Stores a user message of `bytes` bytes and its reply, settled with `status` and `replyBytes` bytes.
    private func exchange(
        _ f: TenantFixture, budget: ContextBudget, bytes: Int, replyBytes: Int, status: Message.Status = .complete
    ) async throws -> ReplyStart {
        try await f.db.store.withTenant(f.a.user) { session in
            let start = try await session.beginReply(
                agentID: f.a.agent.id, conversationID: Self.conversation,
                NewReply(content: String(repeating: "m", count: bytes)), limits: .unlimited, budget: budget)
            _ = try await session.settleReply(
                start.reply.id, call: start.call,
                ReplySettlement(
                    content: String(repeating: "r", count: replyBytes), finishReason: status == .complete ? "stop" : nil,
                    call: CallSettlement(
                        status: status, connectionID: nil,
                        usage: MessageUsage(promptTokens: 1, completionTokens: 1, estimated: false), latencyMilliseconds: 1,
                        timeToFirstTokenMilliseconds: 1, error: status == .failed ? "provider-error" : nil)))
            return start
        }
    }

    @Test func theNewestMessagesThatFitAreSentAndFailedRepliesAreNotCounted() async throws {
        let f = try await TenantFixture.make()
        // 1,600 tokens beside the system prompt; each message and reply below is 500 (2,000 bytes).
        let budget = ContextBudget(promptTokens: ContextBudget.estimatedTokens(f.a.agent.systemPrompt) + 1_600)
        _ = try await exchange(f, budget: budget, bytes: 2_000, replyBytes: 2_000)
        let second = try await exchange(f, budget: budget, bytes: 2_000, replyBytes: 2_000)
        // A failed reply of 8,000 bytes: left out, and what is read past it is not cut short by its size.
        let third = try await exchange(f, budget: budget, bytes: 2_000, replyBytes: 8_000, status: .failed)
        let last = try await exchange(f, budget: budget, bytes: 4, replyBytes: 2)
        // The prompt (1 token), then the third message, the second reply and message (1,500): the first
        // reply would pass the budget, so it and everything older are dropped.
        #expect(last.history.map(\.id) == [second.prompt.id, second.reply.id, third.prompt.id, last.prompt.id])
        #expect(!last.history.contains { $0.id == third.reply.id })
    }
}
