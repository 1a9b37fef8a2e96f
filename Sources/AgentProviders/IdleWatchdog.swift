import NIOCore
import Synchronization

/// Stops a body that has been silent for too long: a timer on the call's event loop, pushed back by every
/// chunk heard. The first chunk may take longer than the silences between chunks (a reasoning model
/// thinks before it answers).
///
/// A NIO timer instead of a sleeping task: the server's tasks run on NIO's loops, which do not take over
/// Swift's delayed jobs, so each `Task.sleep` woke Dispatch's timer thread, once per call and again when
/// the call ended.
final class IdleWatchdog: Sendable {
    private struct State {
        /// When the silence being timed began: the start, then the last chunk heard.
        var lastHeard = NIODeadline.now()
        var heardAny = false
        var timer: Scheduled<Void>?
        var stopped = false
        var fired = false
    }

    private let idle: TimeAmount
    private let firstChunk: TimeAmount
    private let loop: any EventLoop
    private let state = Mutex(State())

    /// `firstChunk`: the silence allowed before anything is heard; `idle` after that.
    init(idle: Duration, firstChunk: Duration? = nil, loop: any EventLoop) {
        self.idle = TimeAmount(idle)
        self.firstChunk = TimeAmount(firstChunk ?? idle)
        self.loop = loop
    }

    /// Starts the timer; `onSilence` runs once, on the loop, when nothing was heard for the first chunk's
    /// allowance, or for the idle time since the last chunk.
    func start(onSilence: @escaping @Sendable () -> Void) {
        schedule(at: .now() + min(idle, firstChunk), onSilence: onSilence)
    }

    /// A chunk arrived: the silence starts again.
    func heard() {
        let now = NIODeadline.now()
        state.withLock { state in
            state.lastHeard = now
            state.heardAny = true
        }
    }

    /// Stops the timer; returns whether it had fired.
    func stop() -> Bool {
        state.withLock { state in
            state.stopped = true
            state.timer?.cancel()
            state.timer = nil
            return state.fired
        }
    }

    private func schedule(at deadline: NIODeadline, onSilence: @escaping @Sendable () -> Void) {
        let timer = loop.scheduleTask(deadline: deadline) { self.check(onSilence: onSilence) }
        let stopped = state.withLock { state in
            if !state.stopped { state.timer = timer }
            return state.stopped
        }
        if stopped { timer.cancel() }
    }

    /// At the timer: fires if the silence reached the idle time, else waits for the rest of it.
    private func check(onSilence: @escaping @Sendable () -> Void) {
        let now = NIODeadline.now()
        // The next check, when the silence has not lasted the idle time yet; whether it fires now.
        let (next, fires): (NIODeadline?, Bool) = state.withLock { state in
            guard !state.stopped else { return (nil, false) }
            let due = state.lastHeard + (state.heardAny ? idle : firstChunk)
            // While the first chunk is awaited, look again at least every idle time: once it arrives, the
            // idle time bounds the silence after it.
            if now < due { return (state.heardAny ? due : min(due, now + idle), false) }
            state.fired = true
            return (nil, true)
        }
        if let next { schedule(at: next, onSilence: onSilence) }
        if fires { onSilence() }
    }
}
