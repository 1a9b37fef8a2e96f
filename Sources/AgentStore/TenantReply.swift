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
        // Found among scalars: an id ending in a prepending mark (U+0600) makes one `Character` of it and the
        // space, and a search among characters found no space.
        let scalars = payload.unicodeScalars
        guard let space = scalars.firstIndex(of: " "), let tenant = UserID(rawValue: String(scalars[..<space])),
            let messageID = MessageID(rawValue: String(scalars[scalars.index(after: space)...]))
        else { return nil }
        self.init(tenant: tenant, messageID: messageID)
    }
}
