import EventLoopTasks
import Hummingbird

extension ResponseBody {
    /// A body written as it is produced (a reply's events, an export), on the event loop of the handler that
    /// made it: Hummingbird writes a body after the middlewares return, outside the preference that
    /// `EventLoopPreferenceMiddleware` gives the handler, where each piece's waits would be queued on the
    /// loop as jobs of their own.
    static func written(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> ResponseBody {
        let executor = EventLoopTaskExecutor.current
        return ResponseBody { writer in
            guard let executor else { return try await write(&writer) }
            try await withTaskExecutorPreference(executor) { try await write(&writer) }
        }
    }
}
