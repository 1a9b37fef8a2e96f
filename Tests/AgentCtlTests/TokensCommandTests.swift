import AgentStore
import AgentTestSupport
import Foundation
import Testing

/// `agentctl tokens ...` against a test database.
@Suite struct TokensCommandTests {
    /// What an operator's command does to a user's tokens is in the user's audit log as the operator's, and a
    /// second revocation says it changed nothing.
    @Test func anOperatorsTokensAreAuditedAsTheOperators() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let environment = ["DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing()]
        let created = try await AgentCtlRun(["tokens", "create", "--user", user.rawValue], environment: environment)
        // The output ends with the token's value, which is not printed here.
        let first = created.output.split(separator: "\n").first ?? ""
        #expect(created.status == 0 && first.hasPrefix("created token "), "\(created.errors)")
        let tokenID = String(first.dropFirst("created token ".count).prefix { $0 != "," })
        let revoked = try await AgentCtlRun(["tokens", "revoke", "--user", user.rawValue, tokenID], environment: environment)
        let again = try await AgentCtlRun(["tokens", "revoke", "--user", user.rawValue, tokenID], environment: environment)
        #expect(revoked.output == "revoked \(tokenID)\n" && again.output == "already revoked \(tokenID)\n")
        let entries = try await db.store.withTenant(user) {
            try await $0.auditLog(PageRequest(limit: 10, order: .ascending)).items
        }
        #expect(
            entries.filter { $0.action.hasPrefix("token.") }.map { "\($0.action) \($0.targetID ?? "") \($0.actor)" } == [
                "token.created \(tokenID) operator", "token.revoked \(tokenID) operator",
            ])
        await db.drop()
    }
}
