import Foundation

/// `[from, to)`, either end open where nil: the times a listing is read within.
public struct TimeWindow: Sendable, Equatable {
    public let from: Date?
    public let to: Date?

    /// Throws where both ends are given and `from` is not before `to`.
    public init(from: Date? = nil, to: Date? = nil) throws(StoreError) {
        if let from, let to { try Self.checkOrder(from, to) }
        self.from = from
        self.to = to
    }

    /// Every time.
    public init() {
        from = nil
        to = nil
    }

    /// Throws unless `from` is before `to`: a range of times the store reads, `[from, to)`.
    static func checkOrder(_ from: Date, _ to: Date) throws(StoreError) {
        guard from < to else { throw .invalid(field: .timeRange, reason: "`from` must be before `to`") }
    }
}
