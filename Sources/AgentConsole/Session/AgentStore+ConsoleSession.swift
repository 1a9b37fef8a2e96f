import AgentStore

extension AgentStore {
    /// The user and scopes of a console session under the console's settings (its idle time), or `nil`
    /// when the session is not valid.
    func authenticate(
        _ session: PresentedConsoleSession, under settings: ConsoleSettings, requestID: String
    ) async throws -> AuthenticatedToken? {
        try await authenticate(session, idleTimeout: settings.idleTimeout, requestID: requestID)
    }
}
