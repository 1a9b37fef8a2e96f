import AgentStore
import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

/// `agentctl replies settle-interrupted` as an operator runs it: the built binary, against a test database.
@Suite struct RepliesCommandTests {
    @Test func settlesWhatWasLeftRunningAndRefusesACutoffInsideTheTimeLimit() async throws {
        let db = try await TestDatabase.make()
        let tenant = try await db.makeUser()
        let start = try await db.store.withTenant(tenant) { session in
            let agent = try await session.createAgent(NewAgent(name: "a", systemPrompt: "s", model: "m"))
            let connection = try await session.createConnection(
                NewAPIConnection(name: "c", service: "openai", apiKey: "sk-cli-\(UUID().uuidString)"))
            try await session.attachConnection(agentID: agent.id, connectionID: connection.id)
            return try await session.beginReply(
                agentID: agent.id, conversationID: ConversationID(rawValue: "left")!, NewReply(content: "hello"),
                limits: .unlimited, budget: ContextBudget())
        }
        try await db.admin.query(
            "UPDATE provider_calls SET started_at = now() - interval '1 hour' WHERE id = \(start.call.rawValue)",
            logger: db.logger)
        try await db.admin.query(
            "UPDATE agent_messages SET created_at = now() - interval '1 hour' WHERE id = \(start.reply.id.rawValue)",
            logger: db.logger)
        let environment = [
            "DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing(),
            "ENCRYPTION_KEY": TestKeys.store, "REPLY_TIME_LIMIT_SECONDS": "300",
        ]

        let tooEarly = try await AgentCtlRun(
            ["replies", "settle-interrupted", "--older-than-seconds", "60"], environment: environment)
        #expect(tooEarly.status != 0)
        #expect(tooEarly.errors.contains("at least the reply time limit (300 s)"))
        // Past what a date holds, a message rather than a trap in the database driver.
        let tooFar = try await AgentCtlRun(
            ["replies", "settle-interrupted", "--older-than-seconds", "10000000000000"], environment: environment)
        #expect(tooFar.status != 0)
        #expect(tooFar.errors.contains("at most ten years"))

        let run = try await AgentCtlRun(["replies", "settle-interrupted"], environment: environment)
        #expect(run.status == 0)
        #expect(run.output.contains("settled as interrupted: 1 provider calls, 1 replies (started over 360 s ago)"))
        let status = try await db.admin.query(
            "SELECT status, error FROM agent_messages WHERE id = \(start.reply.id.rawValue)", logger: db.logger
        ).collect().first?.decode((String, String?).self)
        #expect(status?.0 == "failed" && status?.1 == "reply-interrupted")
    }
}
