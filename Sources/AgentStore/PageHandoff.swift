import Synchronization

/// Hands elements from one producing task to one consuming task, holding at most `capacity` of them:
/// the producer waits while the consumer is behind, so memory stays bounded by the slower side.
///
/// Every wait ends: when the other side is done or gone, when the waiting task is cancelled, or after
/// its timeout (`StoreError.unavailable`). A snapshot's transaction so never outlives a client that
/// stopped reading by more than the producer's timeout. A consumer that reads a large element slowly but
/// steadily says so (``consumerProgressed()``): the producer then keeps waiting, and keeps its own side
/// alive meanwhile.
final class PageHandoff<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        /// Set once the producer is done: `nil` error for a complete sequence.
        var end: (any Error)??
        var consumerGone = false
        var consumer: Waiter<Element?>?
        var producer: Waiter<Room>?
        /// Numbers the waits, so a late timeout cannot end a later wait.
        var generation = 0
        /// Counts the consumer's reports of progress within an element.
        var progress = 0
    }

    /// How a producer's wait for room ended.
    private enum Room {
        case made
        /// Half the timeout passed, the consumer still taking in what it holds.
        case stillReading
        /// Half the timeout passed with no word from the consumer.
        case quiet
    }

    private enum Taken {
        case element(Element, wake: CheckedContinuation<Room, any Error>?)
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

    /// Queues `element`, then waits while more than `capacity` are queued: for as long as the consumer
    /// reports progress, running `keepAlive` (the producer's own side idles meanwhile) each half timeout
    /// that saw some, and for the timeout at most without. Throws `CancellationError` once the consumer is
    /// gone.
    func send(_ element: Element, keepAlive: () async throws -> Void = {}) async throws {
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
        // Looked at every half timeout: the keep-alive goes out well before the producer's side would idle
        // out (twice the timeout, for a snapshot), even on a loaded machine.
        var quietFor = Duration.zero
        while true {
            switch try await waitForRoom(lookingAfter: producerTimeout / 2) {
            case .made:
                return
            case .stillReading:
                quietFor = .zero
                try await keepAlive()
            case .quiet:
                quietFor += producerTimeout / 2
                guard quietFor < producerTimeout else {
                    throw StoreError.unavailable(reason: "the export's reader took longer than \(producerTimeout)")
                }
            }
        }
    }

    private func waitForRoom(lookingAfter interval: Duration) async throws -> Room {
        let progress = state.withLock { $0.progress }
        return try await wait(timeout: interval, what: "the export's reader") {
            (state: inout State, waiter: Waiter<Room>) -> Result<Room, any Error>? in
            if state.consumerGone { return .failure(CancellationError()) }
            if state.buffer.count <= capacity { return .success(.made) }
            state.producer = Waiter(continuation: waiter.continuation, generation: waiter.generation)
            return nil
        } take: { (state: inout State, generation: Int) -> CheckedContinuation<Room, any Error>? in
            guard let producer = state.producer, producer.generation == generation else { return nil }
            state.producer = nil
            return producer.continuation
        } timedOut: { state in
            .success(state.progress != progress ? .stillReading : .quiet)
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
                var wake: CheckedContinuation<Room, any Error>?
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
            wake?.resume(returning: .made)
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
                    producer.continuation.resume(returning: .made)
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

    /// The consumer is still taking in an element it holds (writing it out slowly, say): a producer's wait
    /// that times out meanwhile goes on.
    func consumerProgressed() {
        state.withLock { $0.progress &+= 1 }
    }

    /// The consumer stopped reading: queued elements are dropped and the producer's next `send` (or the
    /// one waiting) throws `CancellationError`.
    func cancel() {
        let producer: CheckedContinuation<Room, any Error>? = state.withLock { state in
            state.consumerGone = true
            state.buffer.removeAll()
            defer { state.producer = nil }
            return state.producer?.continuation
        }
        producer?.resume(throwing: CancellationError())
    }

    // MARK: Waiting

    /// Suspends until `register` decides (at once, returning a result) or its continuation is resumed by
    /// the other side, the task's cancellation or the timeout, whichever comes first. At the timeout,
    /// `timedOut` may give the result instead of the timeout's error.
    private func wait<Value: Sendable>(
        timeout: Duration, what: String,
        register: (inout State, Waiter<Value>) -> Result<Value, any Error>?,
        take: @escaping @Sendable (inout State, Int) -> CheckedContinuation<Value, any Error>?,
        timedOut: @escaping @Sendable (inout State) -> Result<Value, any Error>? = { _ in nil }
    ) async throws -> Value {
        let generation = state.withLock { state in
            state.generation += 1
            return state.generation
        }
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            let taken = self?.state.withLock { state in take(&state, generation).map { ($0, timedOut(&state)) } }
            guard let (continuation, result) = taken else { return }
            continuation.resume(with: result ?? .failure(StoreError.unavailable(reason: "\(what) took longer than \(timeout)")))
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
