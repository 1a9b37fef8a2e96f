import AgentStore
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

extension Problem {
    /// The problem that reports `error` to the client. Anything unknown becomes a generic 500: its
    /// description may hold data, so it is only logged.
    init(from error: any Error, bodyLimit: Int) {
        switch error {
        case let problem as Problem:
            self = problem
        case let error as StoreError:
            self = Problem(store: error)
        case let error as DecodingError:
            self = Problem(decoding: error)
        case is NIOTooManyBytesError:
            self = .contentTooLarge(limit: bodyLimit)
        // Raised while the body is read: a malformed chunk, or a client that hung up halfway through its body.
        case is HTTPParserError:
            self = .badRequest("The request is not valid HTTP/1.1: its body is malformed or ended early.")
        case let error as HTTPError:
            // A client's error keeps the message its thrower wrote for it (ours, or Hummingbird's own).
            var problem = Problem.status(error.status)
            if error.status.code < 500, let message = error.body, !message.isEmpty { problem.detail = message }
            self = problem
        case let error as any HTTPResponseError:
            self = .status(error.status)
        default:
            self = .internalError()
        }
    }

    init(store error: StoreError) {
        switch error {
        case .notFound(let resource): self = .notFound(resource)
        case .conflict(let field, let reason): self = .conflict(field: field.apiName, reason: reason)
        case .invalid(let field, let reason): self = .invalid(field: field.apiName, reason: reason)
        case .invalidFields(let violations):
            self = .invalid(violations.map { FieldError(field: $0.field.apiName, reason: $0.reason) })
        // The reason may name internals (such as a key id); the client learns only that it is temporary, and
        // when to try again: a database restart or a deadlock's loser is over in seconds.
        case .unavailable: self = .databaseAway
        case .unauthenticated: self = .unauthorized()
        case .forbidden(let scope): self = .forbidden(needing: scope)
        case .limitExceeded(let exceeded): self = .limitExceeded(exceeded)
        }
    }

    /// A 400 naming the offending field by its path; never the value, which `debugDescription` may quote.
    init(decoding error: DecodingError) {
        self.init(decoding: DecodingFailure(error))
    }

    init(decoding failure: DecodingFailure) {
        let field = failure.field
        if field.isEmpty {
            self = .badRequest(
                "The request body \(failure.reason).", errors: [FieldError(field: "body", reason: failure.reason)])
        } else {
            self = .badRequest(fields: [FieldError(field: field, reason: failure.reason)])
        }
    }
}
