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
        #expect(soon.status == .tooManyRequests && soon.code == "limit-exceeded")
        #expect(soon.headers[.retryAfter] == "5")
        #expect(soon.headers[Self.shouldRetry] == nil)
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
