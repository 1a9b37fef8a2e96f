import AgentReplies
import AgentStore
import Foundation
import HTTPTypes

/// The problems the API reports, one stable `type` each.
extension Problem {
    static func badRequest(_ detail: String, errors: [FieldError]? = nil) -> Problem {
        Problem(.badRequest, slug: "bad-request", title: "Bad request", detail: detail, errors: errors)
    }

    static func badParameter(_ field: String, _ reason: String) -> Problem {
        badRequest("The parameter \(field) \(reason).", errors: [FieldError(field: field, reason: reason)])
    }

    /// Query parameters the operation does not declare, each named (shortened, as a body member's name is),
    /// with those it takes.
    static func unknownParameters(_ names: [String], allowed: Set<String>) -> Problem {
        // At most ten named: a query of thousands of one-letter names is not answered at thirty times its size.
        let unknown = Array(Set(names.map(shownFieldName))).sorted()
        let shown = Array(unknown.prefix(10))
        let more = unknown.count > shown.count ? " and \(unknown.count - shown.count) more" : ""
        let takes = allowed.isEmpty ? "it takes none" : "it takes \(allowed.sorted().joined(separator: ", "))"
        let reason = "is not a parameter of this operation (\(takes))"
        return badRequest(
            unknown.count == 1
                ? "The parameter \(shown[0]) \(reason)."
                : "The parameters \(shown.joined(separator: ", "))\(more) are not parameters of this operation (\(takes)).",
            errors: shown.map { FieldError(field: $0, reason: reason) })
    }

    /// A body member the operation does not name, echoed (shortened, without control characters) so the
    /// client can find its typo.
    static func unknownField(_ name: String) -> Problem {
        badRequest(fields: [FieldError(field: shownFieldName(name), reason: unknownFieldReason)])
    }

    static let unknownFieldReason = "is not a known field"

    /// A member name as a problem may echo it: at most 100 characters, none of them a control character.
    static func shownFieldName(_ name: String) -> String {
        let field = String(
            String.UnicodeScalarView(name.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(100)))
        return field.isEmpty ? "(empty name)" : field
    }

    /// A 400 naming every field of the body that is unknown, of the wrong type, `null` or missing.
    static func badRequest(fields errors: [FieldError]) -> Problem {
        guard errors.count == 1, let only = errors.first else {
            return badRequest(
                "\(errors.count) fields are not as this request needs: \(errors.map(\.field).joined(separator: ", ")).",
                errors: errors)
        }
        if only.reason == unknownFieldReason {
            return badRequest("The field \(only.field) is not part of this request.", errors: errors)
        }
        return badRequest("The field \(only.field) \(only.reason).", errors: errors)
    }

    static func unauthorized(_ detail: String = "Missing or invalid bearer credentials.") -> Problem {
        var problem = Problem(.unauthorized, slug: "unauthorized", title: "Unauthorized", detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer"
        return problem
    }

    /// A 403: valid credentials whose scopes do not allow the operation. JWT users hold every scope.
    static func forbidden(needing scope: TokenScope) -> Problem {
        Problem(
            .forbidden, slug: "forbidden", title: "Forbidden",
            detail: "The token's scopes do not allow this operation; it needs the \(scope.rawValue) scope.")
    }

    static func notFound(_ resource: String = "resource") -> Problem {
        Problem(.notFound, slug: "not-found", title: "Not found", detail: "The \(resource) does not exist.")
    }

    /// A known path asked with a method it does not have; `Allow` lists the ones it has.
    static func methodNotAllowed(_ allowed: [String]) -> Problem {
        var problem = Problem(
            .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed",
            detail: "This path accepts \(allowed.joined(separator: ", ")).")
        problem.headers[.allow] = allowed.joined(separator: ", ")
        return problem
    }

    static func conflict(field: String, reason: String) -> Problem {
        Problem(
            .conflict, slug: "conflict", title: "Conflict", detail: "Conflict on \(field): \(reason).",
            errors: [FieldError(field: field, reason: reason)])
    }

    static func contentTooLarge(limit: Int) -> Problem {
        Problem(
            .contentTooLarge, slug: "content-too-large", title: "Content too large",
            detail: "The request body exceeds the limit of \(limit) bytes.")
    }

    static func unsupportedMediaType() -> Problem {
        Problem(
            .unsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported media type",
            detail: "The request body must be application/json, in UTF-8.")
    }

    static func invalid(field: String, reason: String) -> Problem {
        Problem(
            .unprocessableContent, slug: "invalid-value", title: "Invalid value",
            detail: "The value of \(field) is invalid: \(reason).", errors: [FieldError(field: field, reason: reason)])
    }

    /// A 422 naming every value that breaks a rule, so that a client fixes them all in one round.
    static func invalid(_ errors: [FieldError]) -> Problem {
        if errors.count == 1, let only = errors.first { return .invalid(field: only.field, reason: only.reason) }
        // A value may break several rules: the detail names each value once.
        var fields: [String] = []
        for error in errors where !fields.contains(error.field) { fields.append(error.field) }
        let detail =
            fields.count == 1
            ? "The value of \(fields[0]) is invalid: \(errors.map(\.reason).joined(separator: "; "))."
            : "\(fields.count) values are invalid: \(fields.joined(separator: ", "))."
        return Problem(.unprocessableContent, slug: "invalid-value", title: "Invalid value", detail: detail, errors: errors)
    }

    static func unavailable(_ detail: String = "The service is temporarily unavailable.") -> Problem {
        Problem(.serviceUnavailable, slug: "unavailable", title: "Service unavailable", detail: detail)
    }

    /// The 503 of a database away (a store outage, or an outcome it could not store): come back in two
    /// seconds, as the pool's reconnects take.
    static var databaseAway: Problem { unavailable(retryAfterSeconds: 2) }

    /// A 503 of a reply that ran to its end whose outcome the database did not take in time: its instance
    /// tries on, and the reply itself tells what became of it. Not to be retried (its own type, and no
    /// `Retry-After`): the reply was generated and charged, and asking again would generate another.
    static func outcomeNotStored(_ reply: MessageID?) -> Problem {
        let read = reply.map { "GET /v1/messages/\($0.rawValue)" } ?? "GET /v1/messages/{id}"
        return Problem(
            .serviceUnavailable, slug: Self.outcomeNotStoredSlug, title: "Outcome not stored yet",
            detail: "The reply ended, but the database did not take its outcome in time; it is stored once the database "
                + "answers. Read the reply (\(read)) rather than ask again, which would generate another.")
    }

    static let outcomeNotStoredSlug = "outcome-not-stored"

    /// A 503 that says when to come back: `Retry-After` in seconds.
    static func unavailable(_ detail: String = "The service is temporarily unavailable.", retryAfterSeconds: Int) -> Problem {
        var problem = unavailable(detail)
        problem.headers[.retryAfter] = String(retryAfterSeconds)
        return problem
    }

    /// A 429: the tenant's limits do not allow the call now; `Retry-After` says when they will. Where no
    /// wait will (`over-limit`), there is no `Retry-After`, and the detail says what would help. `limit` names
    /// the limit either way.
    static func limitExceeded(_ exceeded: LimitExceeded, now: Date = Date()) -> Problem {
        guard let seconds = exceeded.retryAfterSeconds else {
            let detail =
                switch exceeded.limit {
                case .monthlyTokenBudget:
                    "This call alone would reserve more tokens (its prompt and max_tokens) than the whole monthly token "
                        + "budget; no wait lets it through. Lower max_tokens or send less, or ask for a larger budget."
                case .requestsPerMinute:
                    "The model requests per minute of this account are limited to none; no wait lets a call through."
                }
            var problem = Problem(.tooManyRequests, slug: Self.overLimit, title: "Over the limit", detail: detail)
            problem.limit = exceeded.limit.memberName
            // A budget no wait lets the call through is a spent quota; a per-minute limit of none has no OpenAI word.
            if exceeded.limit == .monthlyTokenBudget { problem.openAIWords = Self.spentQuota }
            return problem
        }
        // A call reserves its prompt and max_tokens until it ends: the budget may refuse it with tokens left,
        // for seconds (calls still running hold theirs) or until the month ends. Only the second is a spent
        // quota; the first, as the minute's limit, a rate limit.
        let spent = exceeded.limit == .monthlyTokenBudget && Self.waitsForTheMonth(seconds, now: now)
        let detail =
            switch exceeded.limit {
            case .monthlyTokenBudget where !spent:
                "The monthly token budget has too little left for this call while calls still running hold their "
                    + "reservations (each its prompt and max_tokens, given back as it ends); retry after \(seconds) seconds."
            case .monthlyTokenBudget:
                "The monthly token budget has too little left for this call, which reserves its prompt and max_tokens "
                    + "until it ends. The budget renews at \(RFC3339.string(from: Self.nextMonth(after: now))) "
                    + "(retry after \(seconds) seconds); a call that reserves less (a lower max_tokens, a shorter "
                    + "conversation) may fit before."
            case .requestsPerMinute: "The model requests per minute are used up; retry after \(seconds) seconds."
            }
        var problem = Problem(.tooManyRequests, slug: "limit-exceeded", title: "Limit exceeded", detail: detail)
        problem.limit = exceeded.limit.memberName
        problem.openAIWords = spent ? Self.spentQuota : (type: "rate_limit_error", code: "rate_limit_exceeded")
        problem.headers[.retryAfter] = String(seconds)
        return problem
    }

    /// OpenAI's words for a spent quota.
    private static let spentQuota = (type: "insufficient_quota", code: "insufficient_quota")

    /// The start of the calendar month (UTC) after `date`'s: when a monthly budget renews.
    static func nextMonth(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let month = calendar.dateInterval(of: .month, for: date)!
        return month.end
    }

    /// Whether a budget's wait of `seconds` runs to the month's end (a budget used up), rather than until
    /// running calls give their reservations back (`start_provider_call` says 5 s), which in a month's last
    /// seconds could be as long.
    private static func waitsForTheMonth(_ seconds: Int, now: Date) -> Bool {
        abs(now.addingTimeInterval(Double(seconds)).timeIntervalSince(nextMonth(after: now))) < 2
    }

    /// The slug of a limit no wait lifts.
    static let overLimit = "over-limit"

    /// A 429 of the API's rate limits; `Retry-After` in whole seconds, at least one.
    static func tooManyRequests(retryAfter wait: Duration) -> Problem {
        let seconds = max(1, wait.wholeSecondsRoundedUp)
        var problem = Problem(
            .tooManyRequests, slug: "rate-limited", title: "Too many requests",
            detail: "Too many requests from this client or credential; retry after \(seconds) seconds.")
        problem.headers[.retryAfter] = String(seconds)
        return problem
    }

    /// A 429: the tenant's account export already runs; one at a time, so one tenant cannot hold every slot.
    static func exportRunning(retryAfterSeconds: Int) -> Problem {
        var problem = Problem(
            .tooManyRequests, slug: "export-running", title: "Export already running",
            detail: "An export of this account is already running; retry once it has ended.")
        problem.headers[.retryAfter] = String(retryAfterSeconds)
        return problem
    }

    /// A 429: as many clients as may follow one running reply already do.
    static func tooManyFollowers(_ maximum: Int, of followed: String = "this reply") -> Problem {
        var problem = Problem(
            .tooManyRequests, slug: "too-many-followers", title: "Too many followers",
            detail: "\(maximum) clients already follow \(followed); retry when one has stopped.")
        problem.headers[.retryAfter] = "1"
        return problem
    }

    /// A 429: the tenant runs as many replies at once as one tenant may on this instance.
    static func tooManyReplies(_ share: Int) -> Problem {
        var problem = Problem(
            .tooManyRequests, slug: "too-many-replies", title: "Too many replies at once",
            detail: "This account has \(share) replies or completions generating at once already; retry when one has ended.")
        problem.headers[.retryAfter] = "1"
        return problem
    }

    static func internalError() -> Problem {
        Problem(
            .internalServerError, slug: "internal-error", title: "Internal server error",
            detail: "Something went wrong on our side; quote the request id when reporting it.")
    }

    /// A problem for a plain status, as Hummingbird's own errors carry (unknown route, wrong method).
    static func status(_ status: HTTPResponse.Status) -> Problem {
        switch status {
        case .notFound: .notFound()
        case .unauthorized: .unauthorized()
        case .contentTooLarge:
            Problem(status, slug: "content-too-large", title: "Content too large", detail: "The request body is too large.")
        case .unsupportedMediaType: .unsupportedMediaType()
        case .badRequest: .badRequest("The request is malformed.")
        case .methodNotAllowed:
            Problem(
                status, slug: "method-not-allowed", title: "Method not allowed",
                detail: "The resource does not support this method.")
        case .serviceUnavailable: .unavailable()
        default:
            status.code >= 500
                ? .internalError()
                : Problem(status, slug: "http-\(status.code)", title: status.reasonPhrase, detail: status.reasonPhrase)
        }
    }
}

extension LimitExceeded.Limit {
    /// The limit as `GET /v1/limits` names it, for a refusal's `limit` member.
    var memberName: String {
        switch self {
        case .monthlyTokenBudget: "monthly_token_budget"
        case .requestsPerMinute: "requests_per_minute"
        }
    }
}
