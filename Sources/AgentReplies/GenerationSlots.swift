import AgentStore
import Synchronization

/// The generations this instance runs at once (stored replies and OpenAI-compatible completions alike),
/// and each tenant's share of them. Each holds a provider connection, a task and its text until it ends,
/// which a tenant's own endpoint can make last the whole time limit: without a bound, one tenant starting
/// replies as fast as the rate limits allow would take the instance's sockets and memory from every other.
///
/// A slot is taken before anything of a request is stored, when its personal token may not be checked yet
/// (that happens in the request's first transaction): it counts against the instance at once, and against
/// its tenant only once the generation starts (``GenerationSlot/starts()``), so that requests naming
/// someone else's account with a token that fails its check never take that tenant's share.
public final class GenerationSlots: Sendable {
    /// Why a generation may not start now.
    public enum Refusal: Error, Sendable {
        /// The instance runs as many as it may.
        case full(capacity: Int)
        /// The tenant runs its share already.
        case tenantShareTaken(share: Int)
    }

    private struct Taken {
        var count = 0
        /// Generations started, by tenant.
        var byTenant: [UserID: Int] = [:]
    }

    /// Generations at once on this instance.
    public let capacity: Int
    /// Generations one tenant may run at once: a quarter of the capacity.
    public let share: Int
    private let taken = Mutex(Taken())

    public init(capacity: Int) {
        self.capacity = capacity
        share = max(1, capacity / 4)
    }

    /// Slots taken now, by generations and by requests about to start one.
    public var running: Int { taken.withLock { $0.count } }

    /// A slot for one of `tenant`'s generations, held until the returned value is released.
    func take(for tenant: UserID) throws(Refusal) -> GenerationSlot {
        let refusal: Refusal? = taken.withLock { taken in
            // The tenant's share first: "yours are running" says more than "all are taken".
            if taken.byTenant[tenant, default: 0] >= share { return .tenantShareTaken(share: share) }
            guard taken.count < capacity else { return .full(capacity: capacity) }
            taken.count += 1
            return nil
        }
        if let refusal { throw refusal }
        return GenerationSlot(slots: self, tenant: tenant)
    }

    fileprivate func start(_ tenant: UserID) {
        taken.withLock { $0.byTenant[tenant, default: 0] += 1 }
    }

    fileprivate func release(_ tenant: UserID, started: Bool) {
        taken.withLock { taken in
            taken.count -= 1
            guard started else { return }
            let remaining = taken.byTenant[tenant, default: 1] - 1
            taken.byTenant[tenant] = remaining > 0 ? remaining : nil
        }
    }
}

/// One generation's place among those an instance runs: taken before anything of the request is stored,
/// counted against its tenant once the generation starts, and released when the last reference goes,
/// whether the generation ran to its end or never started (the request failed, or was a replay).
public final class GenerationSlot: Sendable {
    private let slots: GenerationSlots
    private let tenant: UserID
    private let started = Atomic(false)

    fileprivate init(slots: GenerationSlots, tenant: UserID) {
        self.slots = slots
        self.tenant = tenant
    }

    /// The generation starts: its tenant, now checked by the transaction that stored its start, is charged.
    package func starts() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        slots.start(tenant)
    }

    deinit {
        slots.release(tenant, started: started.load(ordering: .relaxed))
    }
}
