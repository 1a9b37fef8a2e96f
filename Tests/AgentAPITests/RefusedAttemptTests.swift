import AgentStore
import AgentTestSupport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ProviderEmulator
import Testing

/// A fallback whose next attempt the database refuses to enter: the reply fails with the first key's
/// failure, no other provider is called, nothing stays running or reserved, and the failed call is counted
/// once. (The suite's database is its own: the refusal is a trigger on the ledger.)
@Suite(.oneDatabase) struct RefusedAttemptTests {
    @Test func aRefusedNextAttemptFailsTheReplyAndCountsTheCallOnce() async throws {
        let api = try await TestAPI.make()
        for statement: PostgresQuery in [
            """
            CREATE FUNCTION test_refuse_later_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.attempt > 1 THEN RAISE EXCEPTION 'refused by the test'; END IF;
              RETURN NEW;
            END $$
            """,
            """
            CREATE TRIGGER test_refuse_later_attempts BEFORE INSERT ON provider_calls
              FOR EACH ROW EXECUTE FUNCTION test_refuse_later_attempts()
            """,
        ] {
            _ = try await api.db.admin.query(statement, logger: api.db.logger).collect()
        }
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=500", baseURL])
                let reply = try StreamedReply(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "hi"])
                ).ended()
                #expect(reply.status == "failed" && reply.error?.hasSuffix("provider-unavailable") == true)
                #expect(await emulator.recordedRequests().count == 1)
            }
        }
        let ledger = try await api.db.admin.query(
            "SELECT attempt, status, reserved_tokens FROM provider_calls", logger: api.db.logger
        ).collect().map { try $0.decode((Int, String, Int).self) }
        #expect(ledger.count == 1 && ledger.first?.0 == 1 && ledger.first?.1 == "failed" && ledger.first?.2 == 0)
        let metrics = try await api.metricsText()
        #expect(
            metrics.contains(
                #"provider_calls_total{service="openai",endpoint="custom",status="failed",failure="provider-unavailable"} 1"#))
    }
}
