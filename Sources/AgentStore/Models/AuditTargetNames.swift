/// The current names of the agents and connections an audit page's entries target
/// (``TenantSession/targetNames(of:)``); a target deleted since has none.
public struct AuditTargetNames: Sendable {
    var byTarget: [String: String] = [:]

    public init() {}

    /// The name of an entry's target, if it is an agent or a connection that still exists.
    public func name(of entry: AuditEntry) -> String? {
        guard let id = entry.targetID else { return nil }
        return byTarget[Self.key(entry.targetType, id)]
    }

    static func key(_ type: String, _ id: String) -> String { "\(type)\u{0}\(id)" }
}
