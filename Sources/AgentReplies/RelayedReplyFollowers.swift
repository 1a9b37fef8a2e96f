import AgentStore
import Synchronization

/// The clients of this instance that follow replies running on other instances, by reply: each relay
/// notice heard (``ReplyRelay``) goes to the followers of its reply.
final class RelayedReplyFollowers: Sendable {
    /// What a follower's loop wakes up for.
    enum Event: Sendable {
        case notice(ReplyRelay)
        /// Time to read the reply's stored end again.
        case check
    }

    private struct State {
        var followers: [MessageID: [Int: AsyncStream<Event>.Continuation]] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    /// Notices a follower may have waiting: a follower that falls behind loses the newer ones, sees the
    /// gap, and asks for the text again, rather than holding an unbounded backlog.
    static let backlog = 256

    /// The events for a follower of reply `id`, and the continuation its own checks are yielded to; it
    /// stops hearing notices when the stream ends.
    func follow(_ id: MessageID) -> (AsyncStream<Event>, AsyncStream<Event>.Continuation) {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(Self.backlog))
        let number = state.withLock { state in
            state.next += 1
            state.followers[id, default: [:]][state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.followers[id]?[number] = nil
                if state.followers[id]?.isEmpty == true { state.followers[id] = nil }
            }
        }
        return (events, continuation)
    }

    /// Hands `notice` to the followers of its reply, if any here.
    func deliver(_ notice: ReplyRelay) {
        let id: MessageID
        switch notice {
        case .follow: return
        case .text(let messageID, _, _), .ended(let messageID): id = messageID
        }
        for follower in state.withLock({ $0.followers[id].map { Array($0.values) } ?? [] }) {
            follower.yield(.notice(notice))
        }
    }

    /// How many clients here follow replies relayed from other instances.
    var count: Int { state.withLock { $0.followers.values.reduce(0) { $0 + $1.count } } }
}
