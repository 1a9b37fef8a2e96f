/// An account's export read from one snapshot: everything the tenant held at one instant, in the order
/// of ``AccountExportChunk``, read by keyset pages inside one `REPEATABLE READ, READ ONLY` transaction.
///
/// Iterating starts the read on a task of its own; at most ``Limits/bufferedPages`` pages wait for the
/// consumer, so memory stays bounded however large the account. The transaction ends (and its
/// connection goes back) when the read is done, when it fails, when the iterator is dropped (a client
/// that disconnected), or when the consumer has neither taken a page nor reported progress
/// (``Iterator/progressed()``) for ``Limits/readerTimeout``.
public struct AccountSnapshot: AsyncSequence, Sendable {
    public typealias Element = AccountExportChunk

    /// How much an export may hold and how long it may wait.
    public struct Limits: Sendable {
        /// Rows per keyset page.
        public var pageSize = 100
        /// Pages read ahead of the consumer.
        public var bufferedPages = 2
        /// The longest one statement of the export may run.
        public var statementTimeout: Duration = .seconds(30)
        /// The longest the read waits for the consumer to take a page before it gives up and rolls back.
        public var readerTimeout: Duration = .seconds(30)
        /// The longest the consumer waits for the next page (past the connection's lease and a statement).
        public var pageTimeout: Duration = .seconds(60)

        public init() {}
    }

    let limits: Limits
    /// Reads the snapshot into the hand-off, then finishes it (with the error, if any).
    let read: @Sendable (PageHandoff<AccountExportChunk>) async -> Void

    public func makeAsyncIterator() -> Iterator {
        let handoff = PageHandoff<AccountExportChunk>(
            capacity: limits.bufferedPages, producerTimeout: limits.readerTimeout, consumerTimeout: limits.pageTimeout)
        // Unstructured, as the sequence outlives this call; it ends by itself (see the type's summary).
        Task { [read] in await read(handoff) }
        return Iterator(reading: Reading(handoff: handoff))
    }

    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let reading: Reading

        public mutating func next() async throws -> AccountExportChunk? {
            try await reading.handoff.next()
        }

        /// The consumer is still taking in the last page (writing it to a slow but steady client): the read
        /// waits on past ``Limits/readerTimeout`` for the next one to be taken.
        public func progressed() {
            reading.handoff.consumerProgressed()
        }
    }

    /// Owned by the iterator and its copies: when the last goes, the read is told to stop.
    final class Reading: Sendable {
        let handoff: PageHandoff<AccountExportChunk>

        init(handoff: PageHandoff<AccountExportChunk>) { self.handoff = handoff }

        deinit { handoff.cancel() }
    }
}
