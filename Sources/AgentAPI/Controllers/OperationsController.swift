import AgentReplies
import AgentStore
import Hummingbird

/// `/health` and `/ready`: for the orchestrator, without authentication. `/metrics` has a listener of
/// its own (``MetricsController``), not this port.
struct OperationsController: Sendable {
    let replies: ReplyGenerator
    let probe: ReadinessProbe

    init(replies: ReplyGenerator, probe: ReadinessProbe) {
        self.replies = replies
        self.probe = probe
    }

    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("health", use: health)
        router.get("ready", use: ready)
    }

    // MARK: Handlers

    /// `getHealth`: the process is up and serving.
    @Sendable func health(_ request: Request, context: APIRequestContext) async throws -> StatusBody {
        StatusBody(status: "ok")
    }

    /// `getReadiness`: the database answers and is migrated to this binary's schema, and the platform is
    /// not shutting down; else 503.
    @Sendable func ready(_ request: Request, context: APIRequestContext) async throws -> StatusBody {
        // Draining: the orchestrator stops sending traffic here while running replies end.
        if replies.isShuttingDown { throw Problem.unavailable("The platform is shutting down.") }
        switch await probe.readiness() {
        case .ready, .busy: return StatusBody(status: "ready")
        case .notMigrated: throw Problem.unavailable("The database schema is not at the expected version.")
        case .unreachable: throw Problem.unavailable("The database is unreachable.")
        }
    }
}
