import EventLoopTasks
import Hummingbird

extension ResponseBody {
    /// A body written as it is produced (a reply's events, an export), on the event loop of the handler that
    /// made it, its channel's: a piece's wait that another loop ends (a reply's generation runs on its
    /// provider connection's) resumes here, where the write is direct, rather than on the loop that woke it.
    static func written(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> ResponseBody {
        let executor = EventLoopTaskExecutor.current
        return ResponseBody { writer in
            guard let executor else { return try await write(&writer) }
            try await withTaskExecutorPreference(executor) { try await write(&writer) }
        }
    }
}
