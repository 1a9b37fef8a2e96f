import AgentStore
import AgentTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import ProviderEmulator
import Testing

/// Provider calls as operators see them on `/metrics`: by service and outcome, every attempt of a fallback
/// counted, with their tokens and times, and nothing that names a tenant, an agent or a model.
@Suite(.oneDatabase) struct ProviderCallMetricsTests {
    @Test func callsAreCountedByServiceAndOutcomeWithTheirTokensAndTimes() async throws {
        let log = CapturedLog()
        let api = try await TestAPI.make(replyLogger: log.logger(level: .info))
        let owner = try await api.makeUser()
        let agentID = try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                // The first key's provider fails (500) before the first token; the second answers.
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=500", baseURL])
                let completed = StreamedReply(
                    try await client.send(
                        .post, chat.replies("c1"), as: owner, json: ["content": "[emulator chunks=3]\none two three"]))
                #expect(try completed.ended().status == "complete")
                let failed = StreamedReply(
                    try await client.send(
                        .post, chat.replies("c2"), as: owner, json: ["content": "[emulator error_after=1]\none two three"]))
                #expect(try failed.ended().status == "failed")
                return chat.agentID
            }
        }
        let text = try await api.metricsText()
        let lines = text.split(separator: "\n").map(String.init)
        func value(_ series: String) -> Double? {
            lines.first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
        }
        #expect(
            value(#"provider_calls_total{service="openai",endpoint="custom",status="failed",failure="provider-unavailable"}"#)
                == 2)
        #expect(value(#"provider_calls_total{service="openai",endpoint="custom",status="complete",failure="none"}"#) == 1)
        #expect(value(#"provider_calls_total{service="openai",endpoint="custom",status="failed",failure="provider-error"}"#) == 1)
        #expect((value(#"provider_tokens_total{service="openai",kind="prompt",estimated="false"}"#) ?? 0) > 0)
        #expect((value(#"provider_tokens_total{service="openai",kind="completion",estimated="false"}"#) ?? 0) > 0)
        #expect(value(#"provider_time_to_first_token_seconds_count{service="openai"}"#) == 2)
        #expect(value(#"provider_call_duration_seconds_count{service="openai",status="complete"}"#) == 1)
        #expect(value("replies_generating") == 0)
        // Buckets up to the reply's time limit, where the usual ones end at 10 seconds.
        for metric in ["provider_call_duration_seconds_bucket{", "provider_time_to_first_token_seconds_bucket{"] {
            #expect(lines.contains { $0.hasPrefix(metric) && $0.contains(#"le="120"#) }, "\(metric)")
        }
        // Each failed call is a line of the log, with its identifiers and the failure's type alone.
        let failed = log.lines.filter { $0.hasPrefix("info provider call failed") }
        #expect(failed.count == 3, "\(log.lines)")
        #expect(failed.filter { $0.contains("failure=provider-unavailable") }.count == 2)
        for line in failed {
            #expect(
                line.contains("user_id=\(owner.id.rawValue)") && line.contains("call_id=") && line.contains("endpoint=custom"))
            SecretCheck.expectAbsent(ChatFixture.apiKey, in: line)
        }
        // Nothing of the tenant, its agent or its model.
        #expect(!text.contains(owner.id.rawValue) && !text.contains(agentID) && !text.contains("emulated-model"))
    }
}
