import AgentStore
import HTTPTypes
import Testing

@testable import AgentAPI

/// What OpenAI's clients are told in their own words. About retrying: the SDKs retry any 429 and 5xx, wait
/// out a `Retry-After` of at most a minute, and leave a request answered `x-should-retry: false`.
@Suite struct OpenAIClientWordsTests {
    private static let shouldRetry = HTTPField.Name("x-should-retry")!

    private static func told(_ exceeded: LimitExceeded) -> OpenAIError {
        OpenAIError(Problem.limitExceeded(exceeded))
    }

    @Test func aWaitTheSDKsWaitOutIsLeftToThem() {
        let soon = Self.told(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: 5))
        // Refused until running calls give their reservations back, in seconds: a rate limit, not a spent quota.
        #expect(soon.status == .tooManyRequests && soon.code == "rate_limit_exceeded" && soon.type == "rate_limit_error")
        #expect(soon.headers[.retryAfter] == "5")
        #expect(soon.headers[Self.shouldRetry] == nil)
    }

    /// A spent budget and a used-up minute are told apart as OpenAI tells them: its code for a spent quota,
    /// and for a rate limit; the platform's problem names the limit in `limit`.
    @Test func theLimitThatRefusedIsNamed() {
        let minute = LimitExceeded(limit: .requestsPerMinute, retryAfterSeconds: 30)
        let told = Self.told(minute)
        #expect(told.code == "rate_limit_exceeded" && told.type == "rate_limit_error")
        #expect(Problem.limitExceeded(minute).limit == "requests_per_minute")
        let budget = Problem.limitExceeded(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: nil))
        #expect(budget.limit == "monthly_token_budget" && OpenAIError(budget).code == "insufficient_quota")
    }

    /// A budget refused by running calls' reservations says to retry in seconds; one used up says when it
    /// renews, the start of the next month (UTC), and what may fit before.
    @Test func aBudgetsRefusalSaysWhenItRenews() throws {
        let now = try #require(RFC3339.date(from: "2026-12-07T23:50:00Z"))
        let held = Problem.limitExceeded(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: 5), now: now)
        #expect(held.detail.contains("calls still running") && held.detail.contains("retry after 5 seconds"))
        #expect(!held.detail.contains("renews"))
        // Until the month's end: 24 days and 10 minutes.
        let spent = Problem.limitExceeded(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: 2_074_200), now: now)
        #expect(spent.detail.contains("renews at 2027-01-01T00:00:00"))
        #expect(spent.headers[.retryAfter] == "2074200")
        // In the month's last seconds a wait of 5 s is still the month's end when it runs to it.
        let lastSeconds = try #require(RFC3339.date(from: "2026-12-31T23:59:55Z"))
        let atTheEnd = Problem.limitExceeded(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: 5), now: lastSeconds)
        #expect(atTheEnd.detail.contains("renews at 2027-01-01T00:00:00"))
    }

    /// A budget spent until next month: the SDKs would ignore the wait and retry within seconds.
    @Test func aWaitPastAMinuteSaysNotToRetry() {
        let nextMonth = Self.told(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: 86_400))
        #expect(nextMonth.headers[.retryAfter] == "86400")
        #expect(nextMonth.headers[Self.shouldRetry] == "false")
    }

    /// A call no wait lets through says no wait, and not to retry.
    @Test func aLimitNoWaitLiftsSaysNotToRetry() {
        let never = Self.told(LimitExceeded(limit: .requestsPerMinute, retryAfterSeconds: nil))
        #expect(never.status == .tooManyRequests && never.code == "over-limit")
        #expect(never.headers[.retryAfter] == nil)
        #expect(never.headers[Self.shouldRetry] == "false")
    }

    /// A finish reason that is none of OpenAI's (a `tool_calls` without tools, another provider's word) is
    /// `stop`.
    @Test func finishReasonsAreOpenAIs() {
        let said = ["stop", "length", "content_filter", "tool_calls", "pause_turn", nil].map(
            ChatCompletionsController.openAIFinishReason)
        #expect(said == ["stop", "length", "content_filter", "stop", "stop", "stop"])
    }
}
