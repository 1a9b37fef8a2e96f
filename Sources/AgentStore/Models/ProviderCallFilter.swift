/// Which calls of the ledger a listing reads: those of one agent, one connection or one status, started
/// within a window; every call where nothing is given.
public struct ProviderCallFilter: Sendable, Equatable {
    public var agentID: String?
    public var connectionID: String?
    public var status: ProviderCallRecord.Status?
    public var window: TimeWindow

    public init(
        agentID: String? = nil, connectionID: String? = nil, status: ProviderCallRecord.Status? = nil,
        window: TimeWindow = TimeWindow()
    ) {
        self.agentID = agentID
        self.connectionID = connectionID
        self.status = status
        self.window = window
    }
}
