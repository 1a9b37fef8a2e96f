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

    /// The name of the connection an entry's details name (a link's or an unlink's), if it still exists.
    public func detailedConnectionName(of entry: AuditEntry) -> String? {
        entry.detailedConnectionID.flatMap { byTarget[Self.key("connection", $0)] }
    }

    static func key(_ type: String, _ id: String) -> String { "\(type)\u{0}\(id)" }
}

extension AuditEntry {
    /// The connection an entry's details name (`connection_id`: a link or an unlink of one).
    var detailedConnectionID: String? {
        guard case .object(let members) = details, case .string(let id)? = members["connection_id"] else { return nil }
        return id
    }
}
