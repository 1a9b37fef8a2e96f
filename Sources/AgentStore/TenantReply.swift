/// A tenant's reply as the instances of the platform name it to one another: whose it is, and which
/// message. A cancel carries one, and so does a request to follow a reply (``ReplyRelay/follow(_:)``).
public struct TenantReply: Sendable, Hashable {
    public let tenant: UserID
    public let messageID: MessageID

    public init(tenant: UserID, messageID: MessageID) {
        self.tenant = tenant
        self.messageID = messageID
    }

    /// `tenant message`: a tenant's id holds no space, so the first space ends it.
    var payload: String { "\(tenant.rawValue) \(messageID.rawValue)" }

    init?(payload: String) {
        guard let space = payload.firstIndex(of: " "), let tenant = UserID(rawValue: String(payload[..<space])),
            let messageID = MessageID(rawValue: String(payload[payload.index(after: space)...]))
        else { return nil }
        self.init(tenant: tenant, messageID: messageID)
    }
}
