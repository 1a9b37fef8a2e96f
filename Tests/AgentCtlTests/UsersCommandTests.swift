import AgentStore
import AgentTestSupport
import Foundation
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
}
