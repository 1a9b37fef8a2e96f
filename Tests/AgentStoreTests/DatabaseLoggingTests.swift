import AgentStore
import AgentTestSupport
import Logging
import Testing

/// What reaches the log of the database's traffic at the most verbose level: PostgresNIO's trace lines
/// count rows and never show them, nor the values bound (a driver upgrade that did would fail here).
@Suite struct DatabaseLoggingTests {
    @Test func rowsNeverReachTheLogEvenAtTrace() async throws {
        let db = try await TestDatabase.make()
        let log = CapturedLog()
        let store = AgentStore(client: db.runtime, keyring: db.keyring, logger: log.logger(level: .trace))
        let user = try await db.makeUser()
        try await store.withTenant(user) { session in
            _ = try await session.createAgent(NewAgent(name: "ROW-CONTENT-MARKER", systemPrompt: "PROMPT-MARKER"))
            _ = try await session.createConnection(
                NewAPIConnection(name: "c", service: "openai", apiKey: "sk-KEY-MARKER-0123456789", metadata: nil))
            _ = try await session.agents(PageRequest(limit: 10, order: .descending))
        }
        #expect(!log.lines.contains { $0.contains("ROW-CONTENT-MARKER") || $0.contains("PROMPT-MARKER") })
        #expect(!log.lines.contains { $0.contains("KEY-MARKER") })
        // The driver's trace lines were there, and said only how many rows came.
        #expect(log.lines.contains { $0.hasPrefix("trace") })
    }
}
