import EventLoopTasks
import Hummingbird

/// Runs the rest of a request that is running on an event loop with that loop as its task executor
/// (`EventLoopTaskExecutor`): it stays on the same thread as before, and its calls into `nonisolated`
/// async functions (every middleware, handler and store call) continue in place instead of each being
/// queued on the loop as a job of its own. Elsewhere (tests' in-memory router, the concurrency pool) it
/// changes nothing.
struct EventLoopPreferenceMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard let executor = EventLoopTaskExecutor.current else { return try await next(request, context) }
        return try await withTaskExecutorPreference(executor) { try await next(request, context) }
    }
}
