import AgentStore
import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

/// `agentctl users ...` against a test database.
@Suite struct UsersCommandTests {
    /// An operator's change of a user's limits is in the user's own audit log as the operator's, with what
    /// they were; setting them to what they are already records nothing; unlimited is shown as a word.
    @Test func aLimitsChangeIsInTheUsersAuditLog() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let environment = ["DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing()]
        let arguments = [
            "users", "limits", "--user", user.rawValue, "--monthly-tokens", "unlimited", "--requests-per-minute", "5",
        ]
        let set = try await AgentCtlRun(arguments, environment: environment)
        let again = try await AgentCtlRun(arguments, environment: environment)
        for run in [set, again] {
            #expect(run.status == 0, "\(run.errors)")
            #expect(
                run.output == "monthly token budget: unlimited (override)\nrequests per minute: 5 (override)\n", "\(run.output)")
        }
        let entries = try await db.store.withTenant(user) {
            try await $0.auditLog(PageRequest(limit: 10, order: .ascending), action: .limitsChanged).items
        }
        #expect(entries.map(\.actor) == [AuditEntry.operatorActor])
        guard case .object(let details) = entries.first?.details else {
            Issue.record("no details: \(entries)")
            return
        }
        #expect(details["monthly_token_budget"] == .string("unlimited") && details["requests_per_minute"] == .number(5))
        #expect(details["previous"] == .object(["monthly_token_budget": .null, "requests_per_minute": .null]))
        await db.drop()
    }

    /// The operator corrects a user's email and clears its name; the user's log says which fields changed, as
    /// the operator's, and not what they were. Nothing to change is a usage error, not a silent success.
    @Test func anOperatorCorrectsAUsersEmailAndName() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let environment = ["DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing()]
        let before = try await db.store.withTenant(user) { try await $0.currentUser() }
        let run = try await AgentCtlRun(
            ["users", "update", "--user", user.rawValue, "--email", "corrected@example.test", "--clear-name"],
            environment: environment)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output == "updated user \(user.rawValue): corrected@example.test\n", "\(run.output)")
        let after = try await db.store.withTenant(user) { try await $0.currentUser() }
        #expect(after.email == "corrected@example.test" && after.displayName == nil)
        let entries = try await db.store.withTenant(user) {
            try await $0.auditLog(PageRequest(limit: 10, order: .ascending), action: .userUpdated).items
        }
        #expect(entries.map(\.actor) == [AuditEntry.operatorActor])
        #expect(entries.first?.details == .object(["fields": .array([.string("email"), .string("display_name")])]))
        #expect(!"\(entries)".contains(before.email))
        let nothing = try await AgentCtlRun(["users", "update", "--user", user.rawValue], environment: environment)
        #expect(nothing.status != 0 && nothing.errors.contains("nothing to change"), "\(nothing.errors)")
        await db.drop()
    }

    /// The operator deletes a user as `DELETE /v1/me` would, once confirmed: everything of theirs is gone, the
    /// deletion audited as the operator's; without `--yes` nothing is deleted.
    @Test func anOperatorDeletesAUserOnceConfirmed() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let environment = ["DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing()]
        let unconfirmed = try await AgentCtlRun(["users", "delete", "--user", user.rawValue], environment: environment)
        #expect(unconfirmed.status != 0 && unconfirmed.errors.contains("--yes"), "\(unconfirmed.errors)")
        #expect(try await db.store.withTenant(user) { try await $0.currentUserIfExists() } != nil)
        let run = try await AgentCtlRun(["users", "delete", "--user", user.rawValue, "--yes"], environment: environment)
        #expect(run.status == 0 && run.output == "deleted user \(user.rawValue)\n", "\(run.output) \(run.errors)")
        #expect(try await db.store.withTenant(user) { try await $0.currentUserIfExists() } == nil)
        let actors = try await db.admin.query(
            "SELECT actor FROM audit_log WHERE tenant_id = \(user.rawValue) AND action = 'user.deleted'", logger: db.logger
        ).collect().map { try $0.decode(String.self) }
        #expect(actors == [AuditEntry.operatorActor])
        let again = try await AgentCtlRun(["users", "delete", "--user", user.rawValue, "--yes"], environment: environment)
        #expect(again.status != 0, "a user that is not there is said to be none")
        await db.drop()
    }
}
