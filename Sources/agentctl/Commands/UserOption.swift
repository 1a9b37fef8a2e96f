import AgentStore
import ArgumentParser
import Logging

/// `--user ID` and the configuration options of a command that acts in one user's tenant as the operator
/// (`agentctl tokens`, `agentctl users update|delete`).
struct UserOption: ParsableArguments {
    @Option(help: "The user's id.") var user: String
    @OptionGroup var config: ConfigurationOptions

    var userID: UserID {
        get throws {
            guard let id = UserID(rawValue: user) else { throw CommandFailure("--user is not a valid user id") }
            return id
        }
    }

    /// Runs `body` in a transaction of the user's tenant, with the platform's configuration; what it changes
    /// is in the user's audit log as the operator's.
    func withOperatorSession<Result: Sendable>(
        _ body: (TenantSession, PlatformConfiguration) async throws -> Result
    ) async throws -> Result {
        let userID = try userID
        let configuration = try await config.load()
        let context = try await PlatformContext.resolve(configuration, logger: Logger(label: "agentctl.users"))
        return try await context.withStore(keyring: nil, maxConnections: 1) { store in
            try await store.withTenant(userID) { session in
                // A mistyped id would otherwise look like a user with nothing: `currentUser` says it is none.
                _ = try await session.currentUser()
                return try await body(session.actingAsOperator(), configuration)
            }
        }
    }
}
