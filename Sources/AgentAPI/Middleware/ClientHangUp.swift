import EventLoopTasks
import Synchronization

/// Whether the client of one connection has hung up, and the waits to end when it does.
///
/// A handler that waits long before writing its first byte (a chat completion waiting for its first
/// token, or for its whole answer) would not learn of a hang-up until it writes: until then, work that no
/// one will read goes on. ``ClientHangUpHandler`` signals here when the client's side of the connection
/// ends; the handler's waits run through ``unlessHungUp(_:)``.
final class ClientHangUp: Sendable {
    private struct State {
        var happened = false
        var nextWatcher = 0
        var watchers: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    /// Whether the client has hung up.
    var happened: Bool { state.withLock { $0.happened } }

    /// The waits under way, for tests.
    var watching: Int { state.withLock { $0.watchers.count } }

    /// Runs `body` in a task of its own, cancelled if the client hangs up before it ends. A wait on a
    /// reply's progress then ends, and with it this request's following of the reply (a completion that
    /// stores nothing then stops its provider call).
    func unlessHungUp<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let task = Task(executorPreference: EventLoopTaskExecutor.current) { try await body() }
        let watcher: Int? = state.withLock { state in
            guard !state.happened else { return nil }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = { task.cancel() }
            return id
        }
        if watcher == nil { task.cancel() }
        // Each wait takes its watcher back: a kept-alive connection serves any number of requests.
        defer { if let watcher { _ = state.withLock { $0.watchers.removeValue(forKey: watcher) } } }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// The client hung up: every wait under way ends.
    func signal() {
        let watchers = state.withLock { state in
            state.happened = true
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for cancel in watchers { cancel() }
    }
}
