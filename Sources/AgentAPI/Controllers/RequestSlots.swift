import Synchronization

/// Requests of one kind that this process serves at once, for those that hold something for as long as
/// their client reads: an account export holds a snapshot transaction, and with it a pooled connection
/// (without a bound, a few slow downloads would take the pool from every other request); a client that
/// follows a reply running on another instance has the reply read every second.
final class RequestSlots: Sendable {
    /// Why no slot was given.
    enum Refusal: Error {
        /// Every slot is taken.
        case full
        /// The holder named already has its share of the slots: one tenant cannot take every slot.
        case alreadyHeld
    }

    private struct Taken {
        var count = 0
        /// The slots each named holder has.
        var holders: [String: Int] = [:]
    }

    let capacity: Int
    /// The slots one holder may have at once.
    let share: Int
    private let taken = Mutex(Taken())

    init(capacity: Int, share: Int = 1) {
        self.capacity = capacity
        self.share = share
    }

    /// Slots of which one tenant may hold a quarter, so that one tenant's clients cannot take them all from
    /// the others'.
    static func quarterPerTenant(capacity: Int) -> RequestSlots {
        RequestSlots(capacity: capacity, share: max(1, capacity / 4))
    }

    /// A slot for `holder`, who may hold ``share`` at a time, held until the returned value is released.
    func take(for holder: String) throws(Refusal) -> Slot {
        let refusal: Refusal? = taken.withLock { taken in
            // The holder's share first: "yours is running" says more than "all are taken".
            if taken.holders[holder, default: 0] >= share { return .alreadyHeld }
            guard taken.count < capacity else { return .full }
            taken.holders[holder, default: 0] += 1
            taken.count += 1
            return nil
        }
        if let refusal { throw refusal }
        return Slot(slots: self, holder: holder)
    }

    /// One running request. Released when the last reference goes, however the request ends: written
    /// whole, failed, or dropped with a client that disconnected before its body was written.
    final class Slot: Sendable {
        private let slots: RequestSlots
        private let holder: String

        fileprivate init(slots: RequestSlots, holder: String) {
            self.slots = slots
            self.holder = holder
        }

        deinit {
            slots.taken.withLock { taken in
                taken.count -= 1
                let remaining = taken.holders[holder, default: 1] - 1
                taken.holders[holder] = remaining > 0 ? remaining : nil
            }
        }
    }
}
