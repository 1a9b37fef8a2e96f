import AgentProviders
import AgentReplies
import AgentStore
import Testing

/// How a failed reply is told: in the platform's words, with what to check.
@Suite struct ReplyFailureTests {
    /// A refused call says what to check by the provider's status: the key for 401 and 403, the model (and
    /// the base URL) for 404, both otherwise. A stored one, whose status is not stored, says both.
    @Test(arguments: [
        (401, "check the connection's API key."), (403, "check the connection's API key."),
        (404, "check the model's name, and the connection's base URL if it has one."),
        (400, "check the connection's key and the model's name."),
        (302, "it redirected the call, which the platform does not follow; check the connection's base URL."),
    ])
    func aRefusedCallSaysWhatToCheck(status: Int, advice: String) {
        let failure = ReplyFailure(ProviderCallError.rejected(status: status, failure: .provider(kind: "x")))
        #expect(failure.slug == "provider-rejected")
        #expect(failure.detail == "The model provider refused the call (HTTP \(status), x); \(advice)")
        #expect(
            ReplyFailure(storedSlug: "provider-rejected").detail.hasSuffix("check the connection's key and the model's name."))
    }

    /// An unreachable provider says why, in the platform's words; a stored one, whose reason is not stored,
    /// says only that.
    @Test func anUnreachableProviderSaysWhy() {
        #expect(
            ReplyFailure(ProviderCallError.unreachable(.connectionFailed)).detail
                == "The model provider could not be reached: the connection failed.")
        #expect(
            ReplyFailure(ProviderCallError.unreachable(.timedOut)).detail
                == "The model provider could not be reached: it did not answer in time.")
        #expect(ReplyFailure(storedSlug: "provider-unreachable").detail == "The model provider could not be reached.")
    }

    /// A reply the platform's shutdown stopped, read back, says so (it is cancelled, and said it failed); one
    /// that failed because the database could not be reached says that.
    @Test func aReplyStoppedByAShutdownSaysSo() {
        #expect(ReplyFailure(storedSlug: "unavailable", of: .cancelled) == .shutDown)
        #expect(
            ReplyFailure(storedSlug: "unavailable", of: .cancelled).detail
                == "The platform shut down before the reply ended; try again.")
        #expect(
            ReplyFailure(storedSlug: "unavailable", of: .failed).detail == "The platform could not reach its database; try again."
        )
    }
}
