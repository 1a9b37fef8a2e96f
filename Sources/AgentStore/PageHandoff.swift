import Synchronization

/// Hands elements from one producing task to one consuming task, holding at most `capacity` of them:
/// the producer waits while the consumer is behind, so memory stays bounded by the slower side.
///
/// Every wait ends: when the other side is done or gone, when the waiting task is cancelled, or after
/// its timeout (`StoreError.unavailable`). A snapshot's transaction so never outlives a client that
/// stopped reading by more than the producer's timeout.
final class PageHandoff<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        /// Set once the producer is done: `nil` error for a complete sequence.
        var end: (any Error)??
        var consumerGone = false
        var consumer: Waiter<Element?>?
        var producer: Waiter<Void>?
        /// Numbers the waits, so a late timeout cannot end a later wait.
        var generation = 0
    }

    private enum Taken {
        case element(Element, wake: CheckedContinuation<Void, any Error>?)
        case end((any Error)?)
        case wait
    }

    private struct Waiter<Value> {
        let continuation: CheckedContinuation<Value, any Error>
        let generation: Int
    }

    private let state = Mutex(State())
    let capacity: Int
    let producerTimeout: Duration
    let consumerTimeout: Duration

    init(capacity: Int, producerTimeout: Duration, consumerTimeout: Duration) {
        self.capacity = max(1, capacity)
        self.producerTimeout = producerTimeout
        self.consumerTimeout = consumerTimeout
    }

    // MARK: Producer

    /// Queues `element`, then waits while more than `capacity` are queued. Throws `CancellationError` once
    /// the consumer is gone.
    func send(_ element: Element) async throws {
        let delivered: CheckedContinuation<Element?, any Error>? = try state.withLock { state in
            guard !state.consumerGone else { throw CancellationError() }
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer.continuation
            }
            state.buffer.append(element)
            return nil
        }
        if let delivered {
            delivered.resume(returning: element)
            return
        }
        let _: Void = try await wait(timeout: producerTimeout, what: "the export's reader") {
            (state: inout State, waiter: Waiter<Void>) -> Result<Void, any Error>? in
            if state.consumerGone { return .failure(CancellationError()) }
            if state.buffer.count <= capacity { return .success(()) }
            state.producer = Waiter(continuation: waiter.continuation, generation: waiter.generation)
            return nil
        } take: { (state: inout State, generation: Int) -> CheckedContinuation<Void, any Error>? in
            guard let producer = state.producer, producer.generation == generation else { return nil }
            state.producer = nil
            return producer.continuation
        }
    }

    /// Ends the sequence: after the queued elements the consumer sees its end, or `error`.
    func finish(throwing error: (any Error)? = nil) {
        let consumer: CheckedContinuation<Element?, any Error>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.end = .some(error)
            guard state.buffer.isEmpty, let consumer = state.consumer else { return nil }
            state.consumer = nil
            return consumer.continuation
        }
        if let error { consumer?.resume(throwing: error) } else { consumer?.resume(returning: nil) }
    }

    // MARK: Consumer

    /// The next element, or nil at the end; throws the producer's error.
    func next() async throws -> Element? {
        let taken: Taken = state.withLock { state in
            if !state.buffer.isEmpty {
                let element = state.buffer.removeFirst()
                var wake: CheckedContinuation<Void, any Error>?
                if state.buffer.count <= capacity, let producer = state.producer {
                    state.producer = nil
                    wake = producer.continuation
                }
                return .element(element, wake: wake)
            }
            if let end = state.end { return .end(end) }
            return .wait
        }
        switch taken {
        case .element(let element, let wake):
            wake?.resume()
            return element
        case .end(let error):
            if let error { throw error }
            return nil
        case .wait:
            break
        }
        return try await wait(timeout: consumerTimeout, what: "the export's database reads") {
            (state: inout State, waiter: Waiter<Element?>) -> Result<Element?, any Error>? in
            if !state.buffer.isEmpty {
                // Queued since the look above; a producer waiting for room may go on.
                let element = state.buffer.removeFirst()
                if state.buffer.count <= capacity, let producer = state.producer {
                    state.producer = nil
                    producer.continuation.resume()
                }
                return .success(element)
            }
            if let end = state.end {
                if let error = end { return .failure(error) }
                return .success(nil)
            }
            state.consumer = Waiter(continuation: waiter.continuation, generation: waiter.generation)
            return nil
        } take: { (state: inout State, generation: Int) -> CheckedContinuation<Element?, any Error>? in
            guard let consumer = state.consumer, consumer.generation == generation else { return nil }
            state.consumer = nil
            return consumer.continuation
        }
    }

    /// The consumer stopped reading: queued elements are dropped and the producer's next `send` (or the
    /// one waiting) throws `CancellationError`.
    func cancel() {
        let producer: CheckedContinuation<Void, any Error>? = state.withLock { state in
            state.consumerGone = true
            state.buffer.removeAll()
            defer { state.producer = nil }
            return state.producer?.continuation
        }
        producer?.resume(throwing: CancellationError())
    }

    // MARK: Waiting

    /// Suspends until `register` decides (at once, returning a result) or its continuation is resumed by
    /// the other side, the task's cancellation or the timeout, whichever comes first.
    private func wait<Value: Sendable>(
        timeout: Duration, what: String,
        register: (inout State, Waiter<Value>) -> Result<Value, any Error>?,
        take: @escaping @Sendable (inout State, Int) -> CheckedContinuation<Value, any Error>?
    ) async throws -> Value {
        let generation = state.withLock { state in
            state.generation += 1
            return state.generation
        }
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            let continuation = self?.state.withLock { take(&$0, generation) }
            continuation?.resume(throwing: StoreError.unavailable(reason: "\(what) took longer than \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let decided: Result<Value, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    return register(&state, Waiter(continuation: continuation, generation: generation))
                }
                if let decided { continuation.resume(with: decided) }
            }
        } onCancel: {
            let continuation = state.withLock { take(&$0, generation) }
            continuation?.resume(throwing: CancellationError())
        }
    }
}
