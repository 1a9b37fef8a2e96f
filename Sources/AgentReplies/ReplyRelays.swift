import AgentStore
import Logging
import Synchronization

/// The replies running on this instance whose text is relayed to clients that follow them through other
/// instances (``ReplyRelay``).
///
/// A relay starts at the first follow request and runs to the reply's end. Every `interval` it reads the
/// text generated since the last notice from the reply itself and publishes it, so many small pieces make
/// few notices; a later follow request (a new follower, or one that missed a notice) has the whole text
/// published again from the start, which followers that have it already skip.
final class ReplyRelays: Sendable {
    private struct Relay {
        /// UTF-8 bytes of the reply's text already published.
        var published = 0
        var replay = true
        /// When the whole text was last published again: at most once a second, however many ask.
        var replayed: ContinuousClock.Instant?
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
        let clock = ContinuousClock()
        var endedAt: ContinuousClock.Instant?
        while (try? await Task.sleep(for: interval)) != nil {
            let (from, replay) = relays.withLock { Self.start(&$0[id, default: Relay()]) }
            let (text, end) = await reply.progress(fromUTF8: from)
            let ended = end != nil
            relays.withLock { $0[id]?.published = from + text.utf8.count }
            if ended, endedAt == nil { endedAt = clock.now }
            // Followers read the stored end by themselves: a database away for this long is not waited out.
            if let endedAt, clock.now - endedAt > .seconds(60) { return }
            do {
                if replay || !text.isEmpty {
                    for notice in ReplyRelay.pieces(of: text[...], from: from, of: id) { try await store.publishRelay(notice) }
                }
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

    /// Where the next notice starts: after the text published so far, or at the start when asked to
    /// replay (unless the last replay was a moment ago: then once the second is up).
    private static func start(_ relay: inout Relay) -> (from: Int, replay: Bool) {
        let now = ContinuousClock.now
        guard relay.replay, relay.replayed.map({ now - $0 >= .seconds(1) }) ?? true else { return (relay.published, false) }
        relay.replay = false
        relay.replayed = now
        return (0, true)
    }
}
