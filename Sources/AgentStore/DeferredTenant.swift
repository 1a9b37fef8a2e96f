import NIOConcurrencyHelpers

/// The tenant of a transaction opened for a tenant its caller authenticated, not yet set: the first
/// statement sets it, either itself (a page function of migration 16, `start_completion`, a settlement) or
/// preceded by `SET LOCAL` on the same trip through the event loop. Until then nothing of the tenant's is
/// visible: a statement that ran without it would see and accept nothing.
///
/// A session runs one statement at a time (its operations await each one), so the first to claim the
/// tenant is the first to reach the database.
final class DeferredTenant: Sendable {
    private let pending = NIOLockedValueBox(true)

    /// True for the first statement only: that statement must set the tenant.
    func claim() -> Bool {
        pending.withLockedValue { pending in
            defer { pending = false }
            return pending
        }
    }
}
