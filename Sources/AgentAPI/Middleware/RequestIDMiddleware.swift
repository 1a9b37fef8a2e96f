import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id: the client's `X-Request-Id` when it is sane, else a new one. The id goes on
/// every log line of the request, into the audit log, and back in the response's `X-Request-Id`.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        let id = request.headers[Self.header].flatMap(Self.accepted) ?? UUID.random().uuidString.lowercased()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        // Hummingbird's own id becomes the client's too, so that a line never names two (the log handler
        // writes one); it stays set, since Hummingbird's `RequestContext.id` unwraps it.
        context.logger[metadataKey: "hb.request.id"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    /// A client's id is kept only if it is short and plain, so it cannot forge log lines or headers.
    static func accepted(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ $0 < 0x80 && (isalnum(Int32($0)) != 0 || "-_.:".utf8.contains($0)) })
        else { return nil }
        return value
    }
}
