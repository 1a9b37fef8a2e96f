import AgentStore

/// Replies that run on another instance of the platform, asked about here.
///
/// A running reply lives in the instance that generates it; its text reaches the database only at its
/// end. So a cancel that reaches another instance is published through the database to the one that runs
/// the reply (``AgentStore/receiveReplyCancels(_:)``), and a client that follows the reply from another
/// instance gets its stored end.
extension ReplyGenerator {
    /// Stops the replies running here whose cancel any instance published, until the task is cancelled.
    public func receiveCancels() async {
        let metrics = self.metrics
        await store.receiveReplyCancels(listening: { metrics.cancelListener(connected: $0) }) { cancel in
            await running.reply(cancel.messageID, of: cancel.tenant)?.cancel()
        }
    }

    /// Cancels the tenant's reply `messageID`, which runs on another instance: publishes the cancel (again
    /// each second, for a listener that was reconnecting) until the reply's end is stored, for at most
    /// `settings.elsewhereCancelWait`.
    /// - Returns: the reply as stored; still `streaming` when no instance stopped it in time.
    public func cancelElsewhere(_ messageID: MessageID, tenant: UserID, requestID: String?) async throws -> Message {
        let clock = ContinuousClock()
        let deadline = clock.now + settings.elsewhereCancelWait
        var published: ContinuousClock.Instant?
        while true {
            let now = clock.now
            let republish = published.map { now - $0 >= .seconds(1) } ?? true
            let message = try await store.withTenant(tenant, requestID: requestID) { session in
                let message = try await session.message(messageID)
                if message.status == .streaming, republish { try await session.publishCancel(of: messageID) }
                return message
            }
            guard message.status == .streaming, now < deadline else { return message }
            if republish { published = now }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// How `reply`, which runs on another instance, ended: read from the store every
    /// `settings.elsewhereCheckInterval`, after `waiting` (where the caller writes a keep-alive; it throws
    /// once the client left, which ends the wait).
    ///
    /// A database that is away for a while only delays the answer. A reply whose end is not stored within
    /// the time limit and the settlement patience lost its instance before it could store it: that ends as
    /// `reply-interrupted`, which is what `agentctl replies settle-interrupted` will store.
    public func endElsewhere(
        of reply: Message, tenant: UserID, requestID: String?, waiting: () async throws -> Void
    ) async throws -> ReplyEnd {
        let clock = ContinuousClock()
        let deadline = clock.now + settings.timeLimit + settings.settlementPatience
        var message = reply
        while message.status == .streaming {
            guard clock.now < deadline else {
                return ReplyEnd(
                    status: .failed, text: message.content, finishReason: nil,
                    usage: MessageUsage(promptTokens: 0, completionTokens: 0, estimated: false), failure: .interrupted,
                    message: nil)
            }
            try await waiting()
            try await Task.sleep(for: settings.elsewhereCheckInterval)
            do {
                message = try await store.withTenant(tenant, requestID: requestID) { try await $0.message(reply.id) }
            } catch StoreError.unavailable {
                // The database is away for a moment: the follower waits on, as the reply's instance does to store it.
                continue
            }
        }
        return ReplyEnd(stored: message)
    }
}
