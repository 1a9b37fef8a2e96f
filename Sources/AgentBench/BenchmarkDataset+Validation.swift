extension BenchmarkDataset {
    /// Messages per tenant in the smallest valid dataset: every one of a tenant's 10 agents holds at
    /// least one whole conversation.
    public var messagesPerTenantUnit: Int { 10 * conversationLength }

    /// Throws unless every agent holds a whole, positive number of conversations: the loader assigns
    /// messages to agents and conversations by integer division, and the request mix picks a random
    /// conversation of a tenant, so a remainder would put messages on agents that do not exist and a
    /// tenant without a conversation would leave nothing to pick (a division by zero before this check).
    public func validate() throws(BenchmarkDatasetError) {
        guard tenants > 0 else { throw BenchmarkDatasetError("--tenants must be at least 1 (it is \(tenants))") }
        guard conversationLength > 0 else {
            throw BenchmarkDatasetError("the conversation length must be at least 1 (it is \(conversationLength))")
        }
        let (unit, overflow) = tenants.multipliedReportingOverflow(by: messagesPerTenantUnit)
        guard !overflow else { throw BenchmarkDatasetError("--tenants \(tenants) is too large") }
        guard messages >= unit, messages % unit == 0 else {
            let suggestion = max(unit, messages / unit * unit)
            throw BenchmarkDatasetError(
                "--messages must be a positive multiple of \(unit) (--tenants \(tenants) × 10 agents × \(conversationLength) "
                    + "messages per conversation), so that every agent holds whole conversations; "
                    + "it is \(messages), try --messages \(suggestion)")
        }
    }
}
