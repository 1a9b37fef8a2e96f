import NIOCore
import Synchronization

/// Stops a body that has been silent for too long: a timer on the call's event loop, pushed back by every
/// chunk heard.
///
/// A NIO timer instead of a sleeping task: the server's tasks run on NIO's loops, which do not take over
/// Swift's delayed jobs, so each `Task.sleep` woke Dispatch's timer thread, once per call and again when
/// the call ended.
final class IdleWatchdog: Sendable {
    private struct State {
        var lastHeard = NIODeadline.now()
        var timer: Scheduled<Void>?
        var stopped = false
        var fired = false
    }

    private let idle: TimeAmount
    private let loop: any EventLoop
    private let state = Mutex(State())

    init(idle: Duration, loop: any EventLoop) {
        self.idle = TimeAmount(idle)
        self.loop = loop
    }

    /// Starts the timer; `onSilence` runs once, on the loop, when nothing was heard for the idle time.
    func start(onSilence: @escaping @Sendable () -> Void) {
        schedule(at: .now() + idle, onSilence: onSilence)
    }

    /// A chunk arrived: the silence starts again.
    func heard() {
        let now = NIODeadline.now()
        state.withLock { $0.lastHeard = now }
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
            let due = state.lastHeard + idle
            if now < due { return (due, false) }
            state.fired = true
            return (nil, true)
        }
        if let next { schedule(at: next, onSilence: onSilence) }
        if fires { onSilence() }
    }
}
