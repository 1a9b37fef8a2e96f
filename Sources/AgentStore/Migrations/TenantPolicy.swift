/// Builds the row-level security of one tenant table: enabled and forced, one policy per command for the
/// runtime role, each an equality between an indexed column of the row and the tenant read once per query.
enum TenantPolicy {
    /// - Parameters:
    ///   - read: the column that names the row's tenant.
    ///   - alsoRead: a second column whose tenant may also read and delete the row (the seed lets both a
    ///     message's author and its agent's owner see it).
    ///   - write: columns that must all name the current tenant on every row written.
    static func statements(table: String, read: String, alsoRead: String? = nil, write: [String]) -> [String] {
        let tenant = "(SELECT current_user_id())"
        let visible = alsoRead.map { "\(read) = \(tenant) OR \($0) = \(tenant)" } ?? "\(read) = \(tenant)"
        let writable = write.map { "\($0) = \(tenant)" }.joined(separator: " AND ")
        return [
            "ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE \(table) FORCE ROW LEVEL SECURITY",
            "CREATE POLICY \(table)_select ON \(table) FOR SELECT TO agent_runtime USING (\(visible))",
            "CREATE POLICY \(table)_insert ON \(table) FOR INSERT TO agent_runtime WITH CHECK (\(writable))",
            "CREATE POLICY \(table)_update ON \(table) FOR UPDATE TO agent_runtime USING (\(writable)) WITH CHECK (\(writable))",
            "CREATE POLICY \(table)_delete ON \(table) FOR DELETE TO agent_runtime USING (\(writable))",
        ]
    }
}
