/// A piece of an account's export, in the order of the document: the user, then pages of each listing.
/// A conversation's messages follow it, before the next conversation.
public enum AccountExportChunk: Sendable {
    case user(User)
    case agents([Agent])
    case connections([APIConnection])
    /// Which agent may use which connection's key.
    case links([AgentConnectionLink])
    case tokens([APIToken])
    case conversation(Conversation)
    /// A page of the messages of the conversation last sent.
    case messages([Message])
    case feedback([Feedback])
    /// A page of the call ledger: what the tenant was billed, call by call.
    case providerCalls([ProviderCallRecord])
    case auditLog([AuditEntry])
}
