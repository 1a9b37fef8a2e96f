import AgentProviders
import AgentReplies
import AgentStore
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Builds the API server: the router below, listening where `configuration` says, with `services` (such
/// as the store's `PostgresClient`) run alongside it and shut down after it drains its requests.
///
/// The caller bootstraps `MetricsSystem` (ideally with a factory over the same `registry`) and runs the
/// result with `try await app.runService()`, which handles SIGTERM and SIGINT gracefully.
public func buildApplication(
    store: AgentStore, replies: ReplyGenerator, configuration: APIConfiguration, services: [any Service] = [],
    companions: [any APICompanion] = [], registry: PrometheusCollectorRegistry, logger: Logger
) async throws -> some ApplicationProtocol {
    let router = try await buildRouter(
        store: store, replies: replies, configuration: configuration, companions: companions, registry: registry,
        logger: logger)
    // Hummingbird closes a connection that has been silent for this long unless a response is being
    // written: half a request head, a stalled body or a kept-alive idle connection all count (slowloris).
    let idle = configuration.idleTimeout.components
    let idleTimeout = TimeAmount.nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000)
    return Application(
        router: router,
        // Silence is not all a slow client can do: a body trickled a byte at a time is cut at the same bound,
        // and so is a response the client stopped reading. A client that hangs up is noticed before its
        // response is written (a completion waiting for its first token).
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [SlowClientDeadlineHandler(limit: idleTimeout), ClientHangUpHandler()],
                idleTimeout: idleTimeout)),
        configuration: .init(address: .hostname(configuration.hostname, port: configuration.port), serverName: "agent-platform"),
        services: services,
        logger: logger)
}

/// Builds the router of every route of the API; `openapi.yaml` describes exactly these.
///
/// `companions` (the web console) add their routes to the same router. Throws `APIConfigurationError`
/// when the JWT keys cannot be loaded.
public func buildRouter(
    store: AgentStore, replies: ReplyGenerator, configuration: APIConfiguration, companions: [any APICompanion] = [],
    registry: PrometheusCollectorRegistry, logger: Logger
) async throws -> Router<APIRequestContext> {
    var jwt: JWTAuthenticator?
    if let settings = configuration.jwt {
        jwt = try await JWTAuthenticator(
            configuration: settings, store: store, metrics: PrometheusMetricsFactory.platform(registry: registry))
    }
    // HEAD wherever GET (RFC 9110 asks it of every general-purpose server): the GET handler runs and its
    // body is not sent. An export, which a HEAD must not start, answers its own (`MeController`).
    let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Outermost first: the id tags everything after it; metrics see the final status of problems.
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ResponseHeadersMiddleware())
    router.add(middleware: RequestMetricsMiddleware(registry: registry))
    let failures = FailedRequestLog(outageInterval: configuration.outageLogInterval)
    let refusals = RefusalCount(registry: registry)
    let readiness = ReadinessProbe { await store.readiness() }
    router.add(
        middleware: ProblemMiddleware(
            bodyLimit: configuration.maximumBodySize, failures: failures, refusals: refusals, readiness: readiness))
    router.add(middleware: TransferCodingMiddleware())

    let contract = try OpenAPIDocument.embedded.get()
    OperationsController(replies: replies, probe: readiness).addRoutes(to: router)
    OpenAPIController(document: contract).addRoutes(to: router)

    let authenticator = BearerAuthenticator(store: store, jwt: jwt)
    let rateLimits = RateLimitMiddleware(limits: configuration.rateLimits, limiter: RequestRateLimiter())
    let v1 = router.group("v1").add(middleware: rateLimits).add(
        middleware: AuthenticationMiddleware(authenticator: authenticator)
    ).add(middleware: QueryParameterMiddleware(declared: contract.queryParameters))
    MeController(
        store: store, replies: replies, exportSlots: RequestSlots(capacity: configuration.maximumConcurrentExports),
        longestExport: configuration.longestExport
    )
    .addRoutes(to: v1.group("me"))
    TokenController(store: store, lifetime: configuration.tokenLifetime).addRoutes(to: v1.group("tokens"))
    AgentController(store: store, replies: replies).addRoutes(to: v1.group("agents"))
    AgentConnectionController(store: store).addRoutes(
        to: v1.group("agents/{agent_id}/connections"), order: v1.group("agents/{agent_id}/connection-order"))
    ConversationController(store: store, replies: replies).addRoutes(to: v1.group("agents/{agent_id}/conversations"))
    RecentConversationController(store: store).addRoutes(to: v1.group("conversations"))
    let chat = ReplyController(store: store, replies: replies, configuration: configuration)
    chat.addRoutes(conversations: v1.group("agents/{agent_id}/conversations"), messages: v1.group("messages"))
    FeedbackController(store: store).addRoutes(messages: v1.group("messages"), agents: v1.group("agents"))
    ConnectionController(store: store, replies: replies).addRoutes(to: v1.group("connections"))
    ChatCompletionsController(store: store, replies: replies, failures: failures, refusals: refusals).addRoutes(to: v1)
    UsageController(store: store, replies: replies).addRoutes(to: v1)
    AuditLogController(store: store).addRoutes(to: v1.group("audit-log"))
    SearchController(store: store).addRoutes(to: v1.group("search"))
    let parts = APIParts(
        store: store, replies: replies, credentials: CredentialVerifier(authenticator: authenticator),
        configuration: configuration, failures: failures, rateLimits: rateLimits, chat: chat)
    for companion in companions { companion.addRoutes(to: router, api: parts) }
    // Last: a middleware wraps only the routes added after it, and the responder of unmatched requests.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    logger.debug("API routes built", metadata: ["jwt": "\(configuration.jwt.map(String.init(describing:)) ?? "off")"])
    return router
}
