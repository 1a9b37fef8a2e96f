import Synchronization

/// Requests of one kind that this process serves at once, for those that hold something for as long as
/// their client reads: an account export holds a snapshot transaction, and with it a pooled connection
/// (without a bound, a few slow downloads would take the pool from every other request); a client that
/// follows a reply running on another instance has the reply read every second.
final class RequestSlots: Sendable {
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

    /// One running request. Released when the last reference goes, however the request ends: written
    /// whole, failed, or dropped with a client that disconnected before its body was written.
    final class Slot: Sendable {
        private let slots: RequestSlots

        fileprivate init(slots: RequestSlots) { self.slots = slots }

        deinit { slots.taken.withLock { $0 -= 1 } }
    }
}
