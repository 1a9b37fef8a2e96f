import AgentStore
import Hummingbird
import Prometheus

/// `/health`, `/ready` and `/metrics`: for the orchestrator and the monitoring, without authentication.
struct OperationsController: Sendable {
    let store: AgentStore
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("health", use: health)
        router.get("ready", use: ready)
        router.get("metrics", use: metrics)
    }

    // MARK: Handlers

    /// `getHealth`: the process is up and serving.
    @Sendable func health(_ request: Request, context: APIRequestContext) async throws -> StatusBody {
        StatusBody(status: "ok")
    }

    /// `getReadiness`: the database answers and is migrated to this binary's schema; else 503.
    @Sendable func ready(_ request: Request, context: APIRequestContext) async throws -> StatusBody {
        switch await store.readiness() {
        case .ready: return StatusBody(status: "ready")
        case .notMigrated: throw Problem.unavailable("The database schema is not at the expected version.")
        case .unreachable: throw Problem.unavailable("The database is unreachable.")
        }
    }

    /// `getMetrics`: Prometheus' text format.
    @Sendable func metrics(_ request: Request, context: APIRequestContext) async throws -> EncodedDocument {
        EncodedDocument(
            bytes: ByteBuffer(bytes: registry.emitToBuffer()), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
