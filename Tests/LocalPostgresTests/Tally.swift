import Synchronization

/// A counter tasks share.
final class Tally: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    @discardableResult
    func add(_ amount: Int) -> Int {
        count.withLock {
            $0 += amount
            return $0
        }
    }

    func raise(to candidate: Int) { count.withLock { $0 = max($0, candidate) } }
}
