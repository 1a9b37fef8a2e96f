import AgentProviders
import AgentSecrets
import AgentStore
import Foundation
import Logging

/// One generation, from the first key opened to the stored outcome.
struct ReplyGeneration: Sendable {
    let plan: CallPlan
    let tenant: UserID
    let requestID: String?
    let reply: RunningReply
    /// The generator's running replies, whose drain may cut a settlement's patience short.
    let running: RunningReplies
    let store: AgentStore
    let client: ProviderClient
    let settings: ReplySettings
    let metrics: ProviderCallMetrics
    let logger: Logger

    /// What one call produced before it ended, however it ended.
    private struct Produced {
        var text = ""
        /// The text's length as PostgreSQL counts it (Unicode scalars), kept as pieces arrive.
        var length = 0
        var usage = TokenUsage()
        var finishReason: FinishReason?
        var failure: ReplyFailure?
        /// The provider's failure, when the stream ended with one.
        var providerFailure: ProviderFailure?
        var timeToFirstToken: Duration?
    }

    // MARK: Running

    func run() async {
        let request = plan.request
        let candidates = Self.candidates(plan.connections)
        var call = plan.call
        var index = 0
        var waitedForRateLimit = false
        let clock = ContinuousClock()
        while true {
            guard index < candidates.count else {
                await settle(
                    call, connection: nil, request: request, produced: Produced(failure: .noChatConnection), elapsed: .zero)
                return
            }
            // A stop that came while the last attempt failed and was settled ends the generation here,
            // before another key is opened (an audited opening) or another provider called.
            if await reply.stopReason != nil {
                await settle(call, connection: nil, request: request, produced: Produced(), elapsed: .zero)
                return
            }
            let (connection, endpoint) = candidates[index]
            let started = clock.now
            let stream: ProviderReplyStream
            do {
                let key =
                    if index == 0, let first = plan.firstKey, first.connectionID == connection.id { first.secret } else {
                        try await openKey(connection.id)
                    }
                stream = try await client.streamReply(request, endpoint: endpoint, apiKey: key, for: tenant.rawValue)
            } catch let failure as ReplyFailure {
                await settle(
                    call, connection: connection.id, request: request, produced: Produced(failure: failure),
                    elapsed: clock.now - started, mayHaveBeenBilled: false)
                return
            } catch let error as ProviderCallError {
                // An attempt the provider may have read (a head that timed out after the request went) is
                // charged its prompt's estimate, as the last attempt is, before the next key is tried.
                let failed = CallSettlement(
                    status: .failed, connectionID: connection.id,
                    usage: Self.usage(of: Produced(), for: request, mayHaveBeenBilled: error.mayHaveBeenBilled),
                    latencyMilliseconds: (clock.now - started).milliseconds, timeToFirstTokenMilliseconds: nil,
                    error: ReplyFailure(error).slug)
                let stopped = await reply.stopReason != nil
                var unentered: ProviderCallID?
                /// The next attempt once entered; nil when it was not, and then `settle` settles it too.
                func enterNext() async -> ProviderCallID? {
                    switch await retry(call, failed) {
                    case .entered(let next): return next
                    case .notEntered(let next):
                        unentered = next
                        return nil
                    }
                }
                // Before the first token another key may still answer; a 429 with a short Retry-After is
                // waited out once when no other key is left.
                if !stopped, error.allowsFallback, index + 1 < candidates.count, let next = await enterNext() {
                    call = next
                    index += 1
                    continue
                }
                if !stopped, unentered == nil, !waitedForRateLimit, case .rateLimited(let retryAfter?) = error,
                    retryAfter <= settings.longestRetryAfter
                {
                    waitedForRateLimit = true
                    try? await Task.sleep(for: retryAfter)
                    if await reply.stopReason == nil, let next = await enterNext() {
                        call = next
                        continue
                    }
                }
                await settle(
                    call, connection: connection.id, request: request, produced: Produced(failure: ReplyFailure(error)),
                    elapsed: clock.now - started, mayHaveBeenBilled: error.mayHaveBeenBilled, unentered: unentered)
                return
            } catch {
                await settle(
                    call, connection: connection.id, request: request, produced: Produced(failure: .platformUnavailable),
                    elapsed: clock.now - started, mayHaveBeenBilled: false)
                return
            }
            let produced = await consume(stream, since: started, clock: clock)
            // A stream that failed before its first text (an overload reported in it, a lost connection) is a
            // provider that did not answer, as a 5xx says before the response: another key may.
            if produced.text.isEmpty, let failure = produced.providerFailure, failure.allowsFallback,
                index + 1 < candidates.count, await reply.stopReason == nil
            {
                let failed = CallSettlement(
                    status: .failed, connectionID: connection.id,
                    usage: Self.usage(of: produced, for: request, mayHaveBeenBilled: true),
                    latencyMilliseconds: (clock.now - started).milliseconds, timeToFirstTokenMilliseconds: nil,
                    error: ReplyFailure(failure).slug)
                switch await retry(call, failed) {
                case .entered(let next):
                    call = next
                    index += 1
                    continue
                case .notEntered(let next):
                    await settle(
                        call, connection: connection.id, request: request, produced: produced, elapsed: clock.now - started,
                        mayHaveBeenBilled: true, unentered: next)
                    return
                }
            }
            await settle(
                call, connection: connection.id, request: request, produced: produced, elapsed: clock.now - started,
                mayHaveBeenBilled: true)
            return
        }
    }

    /// The agent's connections that can answer, in call order, with their endpoints. A base URL that is not
    /// valid any more (it was checked when stored) leaves its connection out.
    static func candidates(_ connections: [LinkedConnection]) -> [(LinkedConnection, ProviderEndpoint)] {
        connections.compactMap { connection in
            ProviderEndpoint(chatService: connection.service, baseURL: connection.baseURL).map { (connection, $0) }
        }
    }

    /// Reads the reply stream to its end, handing each piece of text to the followers as it arrives.
    /// Cancelling the task ends the stream and the upstream call with it.
    private func consume(_ stream: ProviderReplyStream, since started: ContinuousClock.Instant, clock: ContinuousClock) async
        -> Produced
    {
        var produced = Produced()
        for await event in stream {
            switch event {
            case .text(let received):
                if produced.timeToFirstToken == nil { produced.timeToFirstToken = clock.now - started }
                let piece = Self.storable(received)
                let length = piece.unicodeScalars.count
                let room = Message.maximumContentLength - produced.length
                guard length <= room else {
                    // More than a message holds (a provider that ignores max_tokens): keep what fits and stop
                    // the call, rather than hold ever more text and fail to store any of it. The upstream
                    // stops now, not once the outcome is stored: that may wait out a database away.
                    stream.cancel()
                    let kept = String(piece.unicodeScalars.prefix(room))
                    produced.text += kept
                    produced.length += room
                    await reply.append(kept)
                    await reply.halt(.tooLong)
                    return produced
                }
                produced.text += piece
                produced.length += length
                await reply.append(piece)
            case .usage(let usage):
                produced.usage = produced.usage.merging(usage)
            case .finished(let reason):
                produced.finishReason = reason ?? .stop
            case .failed(let failure):
                produced.providerFailure = failure
                produced.failure = ReplyFailure(failure)
            }
        }
        return produced
    }

    /// The piece as a message can hold it: PostgreSQL text cannot hold NUL, which JSON can carry (`\u0000`),
    /// so each becomes U+FFFD; one NUL would otherwise fail the whole reply's storing.
    static func storable(_ piece: String) -> String {
        guard piece.utf8.contains(0) else { return piece }
        return String(String.UnicodeScalarView(piece.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }

    /// How an attempt that never called its provider is settled.
    static let neverCalled = CallSettlement(
        status: .failed, connectionID: nil, usage: MessageUsage.zero,
        latencyMilliseconds: 0, timeToFirstTokenMilliseconds: nil, error: ReplyFailure.platformUnavailable.slug)

    /// Whether the database refused what a settlement holds, as opposed to being away.
    static func refusesWhatItHolds(_ error: StoreError) -> Bool {
        switch error {
        case .invalid, .invalidFields, .conflict: true
        default: false
        }
    }

    // MARK: The store

    /// Opens the connection's key for this call alone; the opening is audited with its purpose.
    private func openKey(_ connection: ConnectionID) async throws -> Secret {
        do {
            return try await store.withTenant(tenant, requestID: requestID) {
                try await $0.openAPIKey(connection, purpose: plan.replyID == nil ? .completion : .reply, messageID: plan.replyID)
            }.get()
        } catch let error as StoreError {
            switch error {
            case .unavailable: throw ReplyFailure.keyUnavailable
            default: throw ReplyFailure.platformUnavailable
            }
        }
    }

    /// Whether the next attempt was entered in the ledger.
    private enum NextAttempt {
        case entered(ProviderCallID)
        /// The database refused or did not answer; when the connection was lost at the commit the
        /// attempt's row may exist all the same, holding the reservation, so `settle` settles this id too.
        case notEntered(ProviderCallID)
    }

    /// Settles a failed call and enters the next attempt. When that fails, the failed call is left to
    /// `settle`, which counts it: it is counted here only once its settlement is stored.
    private func retry(_ call: ProviderCallID, _ failed: CallSettlement) async -> NextAttempt {
        let next = ProviderCallID.make()
        do {
            try await store.withTenant(tenant, requestID: requestID) {
                try await $0.retryCall(call, failed, as: next, limits: settings.defaultLimits)
            }
        } catch {
            return .notEntered(next)
        }
        count(failed, of: call)
        return .entered(next)
    }

    /// Counts a call in the metrics, by its connection's service and whether it calls the provider's own
    /// API or a base URL of the tenant's, and logs a failed one; a generation that called no provider (no
    /// connection could answer) counts nothing.
    private func count(_ settlement: CallSettlement, of call: ProviderCallID) {
        guard let connection = plan.connections.first(where: { $0.id == settlement.connectionID }) else { return }
        let endpoint = connection.baseURL == nil ? "default" : "custom"
        metrics.record(settlement, service: connection.service, endpoint: endpoint)
        guard settlement.status == .failed, let failure = settlement.error else { return }
        // The failure's slug and identifiers only: a provider's own words may quote the key.
        logger.info(
            "provider call failed",
            metadata: [
                "request_id": "\(requestID ?? "none")", "user_id": "\(tenant.rawValue)", "call_id": "\(call.rawValue)",
                "service": "\(connection.service)", "endpoint": "\(endpoint)", "failure": "\(failure)",
                "latency_ms": "\(settlement.latencyMilliseconds ?? 0)",
            ])
    }

    /// Stores the outcome, retrying while the database is away (for at most the settings' patience), and
    /// tells the followers. Runs outside the generation's cancellation: a cancelled reply is still stored.
    /// `mayHaveBeenBilled`: the provider may have read the prompt (else the call used no tokens, as when
    /// its key could not be opened or the provider refused it); `unentered` is an attempt that may have been
    /// entered unseen (see `NextAttempt`).
    private func settle(
        _ call: ProviderCallID, connection: ConnectionID?, request: ChatRequest, produced: Produced, elapsed: Duration,
        mayHaveBeenBilled: Bool = false, unentered: ProviderCallID? = nil
    ) async {
        let stop = await reply.stopReason
        let failure: ReplyFailure? =
            switch stop {
            case .timeLimit: .timeLimit
            case .tooLong: .tooLong
            case .cancelled, .shutdown: nil
            case nil: produced.failure ?? (produced.finishReason == nil ? ReplyFailure(.protocolViolation(.endedEarly)) : nil)
            }
        let status: Message.Status =
            stop == .cancelled || stop == .shutdown ? .cancelled : failure == nil ? .complete : .failed
        let usage = Self.usage(of: produced, for: request, mayHaveBeenBilled: mayHaveBeenBilled)
        let settlement = ReplySettlement(
            content: produced.text, finishReason: produced.finishReason?.name,
            call: CallSettlement(
                status: status, connectionID: connection, usage: usage, latencyMilliseconds: elapsed.milliseconds,
                timeToFirstTokenMilliseconds: produced.timeToFirstToken?.milliseconds,
                error: failure?.slug ?? (stop == .shutdown ? Message.stoppedByShutdown : nil)))
        // Followers waiting past the settlement's patience are told the outcome is not stored (as ended with
        // no message); the store is tried on (see `store`).
        let unstored = ReplyEnd(
            status: status, text: produced.text, finishReason: produced.finishReason?.name, usage: usage, failure: failure,
            message: nil, stoppedByShutdown: stop == .shutdown)
        let (stored, kept, deleted) = await Task {
            await store(settlement, call: call, unentered: unentered) { await reply.finish(unstored) }
        }.value
        count(kept.call, of: call)
        if deleted {
            // Its followers learn what became of it, as those on other instances do, rather than that the
            // database was away.
            await reply.finish(
                ReplyEnd(status: .cancelled, text: "", finishReason: nil, usage: usage, failure: .deleted, message: nil))
            return
        }
        guard kept == settlement else {
            await reply.finish(
                ReplyEnd(status: .failed, text: "", finishReason: nil, usage: usage, failure: .notStored, message: stored))
            return
        }
        await reply.finish(
            ReplyEnd(
                status: status, text: produced.text, finishReason: produced.finishReason?.name, usage: usage, failure: failure,
                message: stored, stoppedByShutdown: stop == .shutdown))
    }

    /// A call's usage: what the provider reported, else estimated (the prompt only where the provider may
    /// have read it, the text as produced), and marked so.
    private static func usage(of produced: Produced, for request: ChatRequest, mayHaveBeenBilled: Bool) -> MessageUsage {
        MessageUsage(
            promptTokens: produced.usage.prompt ?? (mayHaveBeenBilled ? promptEstimate(request) : 0),
            completionTokens: produced.usage.completion ?? ContextBudget.estimatedTokens(produced.text),
            estimated: mayHaveBeenBilled && (produced.usage.prompt == nil || produced.usage.completion == nil))
    }

    /// The tokens a call's prompt is taken to have when the provider reported none: a token per 4 bytes.
    static func promptEstimate(_ request: ChatRequest) -> Int {
        request.messages.reduce(0) { $0 + $1.estimatedTokens }
    }

    /// Returns the reply as stored, the settlement stored (`settlement`, or, when the database refused what
    /// it holds, the same failed with `reply-not-stored` and without its text), and whether the reply had
    /// been deleted.
    ///
    /// While the database is away it tries again, and past the settlement's patience calls `late` (its
    /// followers are told the outcome is not stored) but goes on trying, for as long as a live generation
    /// may still store (the reply's start, its time limit and the patience: the sweep of interrupted replies
    /// waits longer), or a shutdown allows: an outage of minutes lost a finished reply's text, and left it
    /// streaming, its tokens reserved, until the sweep settled it as interrupted, empty.
    private func store(
        _ settlement: ReplySettlement, call: ProviderCallID, unentered: ProviderCallID?, late: () async -> Void
    ) async -> (Message?, ReplySettlement, deleted: Bool) {
        let clock = ContinuousClock()
        let patience = clock.now + settings.settlementPatience
        // The reply's age, from its creation time (the database's clock; the sweep's margin covers a skew of the
        // two). A completion that stores no reply has no start to read: it is taken to be as old as a generation
        // may be, its patience alone, so that no attempt outlives the sweep's cutoff.
        let age = reply.started.map { Duration.seconds(max(0, Date().timeIntervalSince($0.createdAt))) } ?? settings.timeLimit
        let horizon = max(patience, clock.now + settings.timeLimit + settings.settlementPatience - age)
        var toldLate = false
        var pause = Duration.milliseconds(100)
        var settlement = settlement
        var unentered = unentered
        while true {
            do {
                if let attempt = unentered {
                    // It never called a provider; settling an id that has no row changes nothing.
                    try await store.settleCall(attempt, of: tenant, Self.neverCalled)
                    unentered = nil
                }
                guard let replyID = plan.replyID else {
                    try await store.settleCall(call, of: tenant, settlement.call)
                    return (nil, settlement, false)
                }
                let stored = try await store.settleReply(replyID, call: call, of: tenant, settlement)
                if toldLate {
                    logger.info("the outcome of a reply was stored once the database answered", metadata: ["call": "\(call)"])
                }
                return (stored, settlement, false)
            } catch StoreError.notFound {
                // The reply was deleted while it ran (with its conversation, say); the same statement settled
                // the ledger row, and waiting would only hold its followers.
                return (nil, settlement, true)
            } catch let error as StoreError
                where Self.refusesWhatItHolds(error) && settlement.call.error != ReplyFailure.notStored.slug
            {
                // No retry changes a refusal (a check no validation foresaw). Stored without its text, failed,
                // the reply at least ends, and its reserved tokens are released.
                logger.error(
                    "the outcome of a reply was refused; it is stored without its text",
                    metadata: ["call": "\(call)", "error": "\(error)"])
                settlement.content = ""
                settlement.finishReason = nil
                settlement.call.status = .failed
                settlement.call.error = ReplyFailure.notStored.slug
            } catch {
                if !toldLate, clock.now + pause >= patience {
                    toldLate = true
                    await late()
                }
                let deadline = running.settleBy.map { min($0, horizon) } ?? horizon
                guard clock.now + pause < deadline else {
                    logger.error(
                        "the outcome of a reply could not be stored", metadata: ["call": "\(call)", "error": "\(error)"])
                    return (nil, settlement, false)
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }
}

extension Duration {
    /// Whole milliseconds, as stored.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Whole seconds, rounded up, as `Retry-After` says a wait: a client that waits what it is told is not
    /// early.
    public var wholeSecondsRoundedUp: Int {
        Int(components.seconds) + (components.attoseconds > 0 ? 1 : 0)
    }
}
