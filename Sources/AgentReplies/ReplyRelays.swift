import AgentStore
import Logging
import Synchronization

/// The replies running on this instance whose text is relayed to clients that follow them through other
/// instances (``ReplyRelay``).
///
/// A relay starts at the first follow request and runs to the reply's end. Every `interval` it publishes
/// the text generated since the last notice, so many small pieces make few notices; a later follow
/// request (a new follower, or one that missed a notice) has the whole text published again from the
/// start, which followers that have it already skip.
final class ReplyRelays: Sendable {
    private struct Relay {
        var text = ""
        /// UTF-8 bytes of `text` already published.
        var published = 0
        var replay = true
        /// When the whole text was last published again: at most once a second, however many ask.
        var replayed: ContinuousClock.Instant?
        var ended = false
    }

    private let relays = Mutex<[MessageID: Relay]>([:])
    let interval: Duration

    init(interval: Duration) {
        self.interval = interval
    }

    /// Relays `reply` (of `id`), or publishes its text again from the start if it is relayed already.
    func follow(_ reply: RunningReply, id: MessageID, store: AgentStore, logger: Logger) {
        let started = relays.withLock { relays in
            if relays[id] != nil {
                relays[id]?.replay = true
                return false
            }
            relays[id] = Relay()
            return true
        }
        guard started else { return }
        Task { await relay(reply, id: id, store: store, logger: logger) }
    }

    private func relay(_ reply: RunningReply, id: MessageID, store: AgentStore, logger: Logger) async {
        defer { _ = relays.withLock { $0.removeValue(forKey: id) } }
        // A reply with as many followers as it takes has none to spare: other instances' followers then get its stored end.
        guard let progress = await reply.follow() else { return }
        let collecting = Task {
            for await event in progress {
                relays.withLock { relays in
                    switch event {
                    case .started: break
                    case .delta(let piece): relays[id]?.text += piece
                    case .ended: relays[id]?.ended = true
                    }
                }
            }
        }
        defer { collecting.cancel() }
        let clock = ContinuousClock()
        var endedAt: ContinuousClock.Instant?
        while (try? await Task.sleep(for: interval)) != nil {
            let (notices, ended) = relays.withLock { relays -> ([ReplyRelay], ended: Bool) in
                guard relays[id] != nil else { return ([], true) }
                return Self.take(&relays[id]!, of: id)
            }
            if ended, endedAt == nil { endedAt = clock.now }
            // Followers read the stored end by themselves: a database away for this long is not waited out.
            if let endedAt, clock.now - endedAt > .seconds(60) { return }
            do {
                for notice in notices { try await store.publishRelay(notice) }
                guard ended else { continue }
                try await store.publishRelay(.ended(id))
                return
            } catch {
                // The database is away for a moment: everything is published again once it is back.
                relays.withLock { $0[id]?.replay = true }
                logger.debug("relaying a reply's text failed; retrying", metadata: ["error": "\(type(of: error))"])
            }
        }
    }

    /// The notices to publish now: the text not published yet, or all of it when asked to replay (unless
    /// it was a moment ago: then once the second is up).
    private static func take(_ relay: inout Relay, of id: MessageID) -> ([ReplyRelay], ended: Bool) {
        let now = ContinuousClock.now
        let replay = relay.replay && relay.replayed.map { now - $0 >= .seconds(1) } ?? true
        let from = replay ? 0 : relay.published
        let pending = relay.text.utf8.count - from
        guard replay || pending > 0 else { return ([], relay.ended) }
        let start = relay.text.utf8.index(relay.text.startIndex, offsetBy: from)
        if replay {
            relay.replay = false
            relay.replayed = now
        }
        relay.published = relay.text.utf8.count
        return (ReplyRelay.pieces(of: relay.text[start...], from: from, of: id), relay.ended)
    }
}
