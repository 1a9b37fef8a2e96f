import Foundation
import HTTPTypes
import Hummingbird

/// Refuses a request whose `Transfer-Encoding` names a coding other than `chunked` with a 501 before any
/// handler runs (RFC 9112, 6.1).
///
/// NIO's parser hands such a request's head on before it fails on what follows, so without this a bodyless
/// request was answered as if the header were absent. A proxy in front that frames the request by another
/// reading of the header would then see a different request boundary than this server: the start of
/// request smuggling.
struct TransferCodingMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        let codings = request.headers[values: .transferEncoding]
        guard codings.isEmpty || Self.isChunkedAlone(codings) else {
            throw Problem(
                .notImplemented, slug: "unsupported-transfer-coding", title: "Unsupported transfer coding",
                detail: "The request's Transfer-Encoding may only be chunked.")
        }
        return try await next(request, context)
    }

    /// Whether the header's values, across lines, name `chunked` once and nothing else.
    private static func isChunkedAlone(_ values: [String]) -> Bool {
        let codings = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return codings.count == 1 && codings[0].lowercased() == "chunked"
    }
}
