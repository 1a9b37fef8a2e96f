import Synchronization

/// The account exports this process runs at once. Each holds a snapshot transaction, and with it a pooled
/// connection, for as long as its client reads; without a bound, a few slow downloads would take the
/// pool from every other request.
final class ExportSlots: Sendable {
    /// How long a refused client is told to wait: about what a small export takes.
    static let retryAfterSeconds = 5

    let capacity: Int
    private let taken = Mutex(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A slot, held until the returned value is released; nil when every slot is taken.
    func take() -> Slot? {
        let granted = taken.withLock { taken in
            guard taken < capacity else { return false }
            taken += 1
            return true
        }
        return granted ? Slot(slots: self) : nil
    }

    /// One running export. Released when the last reference goes, however the export ends: written whole,
    /// failed, or dropped with a client that disconnected before its body was written.
    final class Slot: Sendable {
        private let slots: ExportSlots

        fileprivate init(slots: ExportSlots) { self.slots = slots }

        deinit { slots.taken.withLock { $0 -= 1 } }
    }
}
