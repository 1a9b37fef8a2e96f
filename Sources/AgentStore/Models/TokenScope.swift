/// What a personal token may do. Each scope includes those below it: `admin` can also write, `write` can
/// also read. JWT users hold every scope.
public enum TokenScope: String, Sendable, CaseIterable, Comparable, Hashable {
    /// Read the tenant's data (GET and HEAD).
    case read
    /// Change the tenant's data.
    case write
    /// Manage tokens and delete the account.
    case admin

    /// Every scope, as held by JWT users and by tokens issued before scopes existed.
    public static let all = Set(allCases)

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension Set where Element == TokenScope {
    /// Whether these scopes allow what `required` allows: one of them is `required` or above it.
    public func allow(_ required: TokenScope) -> Bool {
        contains { $0 >= required }
    }
}
