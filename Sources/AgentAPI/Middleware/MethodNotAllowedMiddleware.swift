import HTTPTypes
import Hummingbird

/// Answers a request whose path is a route's but whose method is none of that route's with a 405 problem
/// and `Allow` (RFC 9110, 15.5.6), where the router alone says 404.
///
/// `buildRouter` adds it after every route: Hummingbird applies a middleware only to routes added after
/// it and to the responder of unmatched requests, so this runs for unmatched requests only.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    /// One route's path, a segment each (nil where it captures a parameter), and its methods.
    private struct Route: Sendable {
        let segments: [String?]
        let methods: [HTTPRequest.Method]

        func matches(_ path: ArraySlice<Substring>) -> Bool {
            // A parameter captures something: an empty segment is not an id.
            path.count == segments.count
                && zip(segments, path).allSatisfy { segment, part in segment.map { $0 == part } ?? !part.isEmpty }
        }
    }

    private let routes: [Route]

    init(routes: [Router<Context>.RouteDescription]) {
        var methods: [String: [HTTPRequest.Method]] = [:]
        for route in routes { methods[route.path.description, default: []].append(route.method) }
        // The router answers HEAD wherever GET (`autoGenerateHeadEndpoints`), after these were listed.
        for (path, listed) in methods where listed.contains(.get) && !listed.contains(.head) {
            methods[path, default: []].append(.head)
        }
        self.routes = methods.map { path, methods in
            let segments = path.split(separator: "/").map { segment -> String? in
                segment.hasPrefix("{") && segment.hasSuffix("}") ? nil : String(segment)
            }
            return Route(segments: segments, methods: methods)
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // An empty segment inside the path is kept: `POST /v1/messages//regenerate` names no message,
            // and is a 404, not a 405 of the `/v1/messages/{message_id}` that dropping it would make. A
            // trailing slash is dropped, as the router drops it.
            var path = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            if path.last?.isEmpty == true { path = path.dropLast() }
            let allowed = Set(routes.filter { $0.matches(path) }.flatMap(\.methods))
            guard !allowed.isEmpty else { throw error }
            throw Problem.methodNotAllowed(allowed.map(\.rawValue).sorted())
        }
    }
}
