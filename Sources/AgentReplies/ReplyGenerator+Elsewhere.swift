import AgentStore
import Foundation

/// Replies that run on another instance of the platform, asked about here.
///
/// A running reply lives in the instance that generates it, and its text reaches the database only at its
/// end. So a cancel that reaches another instance is published through the database to the one that runs
/// the reply (``AgentStore/receiveReplyCancels(maximumBackoff:aliveCheck:aliveTimeout:listening:relayed:_:)``),
/// and a client that follows the reply from another instance has its text relayed the same way
/// (``ReplyRelay``), live, with its stored end as the authority on how it ended.
extension ReplyGenerator {
    /// Stops the replies running here whose cancel any instance published, and relays the text of those
    /// that other instances follow, until the task is cancelled.
    public func receiveCancels() async {
        let metrics = self.metrics
        let (running, relays, followers, store, logger) = (running, relays, relayedFollowers, store, logger)
        await store.receiveReplyCancels(
            listening: { connected in
                metrics.cancelListener(connected: connected)
                // Cancels published while the listener was away were not heard; those of deletions are
                // published once (the reply is gone, so no one publishes again): look for them.
                if connected { Task { await Self.stopDeletedReplies(running, store: store) } }
            },
            relayed: { notice in
                guard case .follow(let request) = notice else { return followers.deliver(notice) }
                guard let reply = running.reply(request.messageID, of: request.tenant) else { return }
                relays.follow(reply, id: request.messageID, store: store, logger: logger)
            }
        ) { cancel in
            await running.reply(cancel.messageID, of: cancel.tenant)?.cancel()
        }
    }

    /// Stops the replies running here whose messages no longer exist: deleted (with their conversation or
    /// agent) through another instance while this one's listener was away, their cancel unheard.
    static func stopDeletedReplies(_ running: RunningReplies, store: AgentStore) async {
        for reply in running.all() {
            guard let id = reply.started?.id else { continue }
            do {
                _ = try await store.withTenant(reply.tenant) { try await $0.message(id) }
            } catch StoreError.notFound {
                await reply.cancel()
            } catch {
                // The database is away again: the next time the listener connects, this looks again.
            }
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

    /// Thrown to a follower of a reply that runs elsewhere once this instance is shutting down: its stream
    /// ends without the reply's end, and the client follows it again through another instance.
    public struct Draining: Error {}

    /// Follows `reply`, which runs on another instance: asks that instance to relay its text, hands each new
    /// piece to `relayed`, and returns how the reply ended, as stored, once it has (after handing on the
    /// part of the stored text not relayed). Every `settings.elsewhereCheckInterval` it calls `waiting`
    /// (where the caller writes a keep-alive; it throws once the client left, which ends the wait) and reads
    /// the reply from the store, asking again for the text while none came or a piece was missed.
    ///
    /// A database that is away for a while only delays the answer. A reply whose end is not stored within
    /// `settings.interruptedAfter` of its start lost its instance before it could store it: that ends as
    /// `reply-interrupted`, which is what `agentctl replies settle-interrupted` will store.
    public func endElsewhere(
        of reply: Message, tenant: UserID, requestID: String?, waiting: () async throws -> Void,
        relayed: (String) async throws -> Void
    ) async throws -> ReplyEnd {
        let clock = ContinuousClock()
        // Counted from the reply's start, not the follow's: a reply left streaming an hour ago by an instance
        // that stopped ends its followers at their first check instead of six minutes after each attach.
        let age = Duration.seconds(max(0, Date().timeIntervalSince(reply.createdAt)))
        let deadline = clock.now + settings.interruptedAfter - age
        let (events, continuation) = relayedFollowers.follow(reply.id)
        let checks = Task {
            while (try? await Task.sleep(for: settings.elsewhereCheckInterval)) != nil { continuation.yield(.check) }
        }
        defer {
            checks.cancel()
            continuation.finish()
        }
        var text = RelayedText()
        /// Whether a piece was missed and not relayed again since.
        var missing = false
        var asked: ContinuousClock.Instant?
        var message = reply
        var check = true
        var iterator = events.makeAsyncIterator()
        while true {
            if check {
                check = false
                // Asked while no piece came yet (the relay has not started) or one was missed; at most once a second.
                let ask = (!text.heard || missing) && asked.map { clock.now - $0 >= .seconds(1) } ?? true
                do {
                    message = try await store.withTenant(tenant, requestID: requestID) { session in
                        let message = try await session.message(reply.id)
                        if message.status == .streaming, ask { try await session.publishFollow(of: reply.id) }
                        return message
                    }
                    if ask { asked = clock.now }
                } catch StoreError.unavailable {
                    // The database is away for a moment: the follower waits on, as the reply's instance does to store it.
                } catch StoreError.notFound {
                    // Deleted while it ran (with its conversation, say), which also cancelled it: the follower is
                    // told so, as one on the running instance is, rather than cut off without an end.
                    return ReplyEnd(
                        status: .cancelled, text: "", finishReason: nil, usage: MessageUsage.zero, failure: .deleted,
                        message: nil)
                }
                if message.status != .streaming || clock.now >= deadline {
                    if let rest = text.remainder(of: message.content), !rest.isEmpty { try await relayed(rest) }
                    guard message.status == .streaming else { return ReplyEnd(stored: message) }
                    return ReplyEnd(
                        status: .failed, text: message.content, finishReason: nil,
                        usage: MessageUsage.zero, failure: .interrupted,
                        message: nil)
                }
            }
            guard let event = await iterator.next() else { throw CancellationError() }
            switch event {
            case .notice(.text(_, let offset, let piece)):
                switch text.take(piece, at: offset) {
                case .new(let addition):
                    missing = false
                    if !addition.isEmpty { try await relayed(addition) }
                case .known:
                    break
                case .gap:
                    missing = true
                }
            case .notice(.ended):
                check = true
            case .notice(.follow):
                break
            case .check:
                // The relay stops with the drain, and a stream held open would hold up the server's shutdown.
                if isShuttingDown { throw Draining() }
                try await waiting()
                check = true
            }
        }
    }
}
