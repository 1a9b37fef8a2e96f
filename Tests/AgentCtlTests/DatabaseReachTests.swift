import AgentStore
import AgentTestSupport
import Foundation
import Testing

/// Commands against a database they cannot reach, or about a user it does not hold, fail at once and say
/// which.
@Suite struct DatabaseReachTests {
    @Test func anUnreachableDatabaseFailsTheCommandAtOnceSayingWhy() async throws {
        // Nothing listens on port 1: the connection is refused.
        let url = "postgresql://agent:s3cret-pass@127.0.0.1:1/agent_platform?sslmode=disable"
        let started = ContinuousClock.now
        let run = try await AgentCtlRun(
            ["tokens", "list", "--user", "someone"],
            environment: ["DATABASE_URL": url, "ADMIN_DATABASE_URL": url, "ENCRYPTION_KEY": TestKeys.store], timeout: 60)
        #expect(run.status == 1)
        #expect(
            run.errors.contains(
                "cannot connect to the database at postgresql://agent:***@127.0.0.1:1/agent_platform: connection refused"),
            "\(run.errors)")
        #expect(!run.errors.contains("s3cret-pass") && !run.output.contains("s3cret-pass"))
        // Not the pool's minute of retries.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func anUnknownUserIsAnErrorNotAnEmptyList() async throws {
        let db = try await TestDatabase.make()
        let environment = [
            "DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing(),
            "ENCRYPTION_KEY": TestKeys.store,
        ]
        for arguments in [["tokens", "list", "--user", "nobody"], ["users", "limits", "--user", "nobody"]] {
            let run = try await AgentCtlRun(arguments, environment: environment)
            #expect(run.status == 1, "\(arguments)")
            #expect(run.errors.contains("user not found"), "\(arguments): \(run.errors)")
        }
        await db.drop()
    }
}
