import AgentAPI
import AgentConsole
import AgentProviders
import AgentReplies
import AgentSecrets
import AgentStore
import ArgumentParser
import AsyncHTTPClient
import EventLoopTasks
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import PostgresNIO
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `agentctl serve`: the HTTP API, and `/metrics` on a listener of its own when `METRICS_PORT` is set.
/// With no `DATABASE_URL` it starts the local cluster and migrates it; against an external server it
/// migrates only when `ADMIN_DATABASE_URL` is given, and otherwise expects the schema to be current (see
/// `/ready`).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API.")

    /// Whether Swift concurrency's tasks run on NIO's event loops; installed on first use, which
    /// `AgentCtl.main` makes before any task starts. False where NIO cannot take over (see its docs).
    static let tasksRunOnEventLoops = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

    /// How much longer than the replies' grace a shutdown may take before it is cut short: the drain's last
    /// waits (ten seconds for the stopped replies to be stored) and the server's own close.
    static let shutdownAllowance = Duration.seconds(20)

    @Option(help: "Address to listen on (default: API_HOST or 127.0.0.1).") var hostname: String?
    @Option(help: "Port to listen on (default: API_PORT or 8080; 0 picks a free port).") var port: Int?
    @Option(help: "Database connections in the pool (default: DATABASE_POOL_SIZE or 20).") var poolSize: Int?
    @OptionGroup var config: ConfigurationOptions

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if let poolSize, !PlatformConfiguration.poolSizes.contains(poolSize) {
            throw ValidationError("--pool-size must be 1 to 1000")
        }
    }

    func run() async throws {
        let platform = try await config.load(defaultLogLevel: .info)
        let logger = Logger(label: "agent-platform")
        var configuration = platform.api
        if let hostname { configuration.hostname = hostname }
        if let port { configuration.port = port }
        if let metrics = platform.metrics, metrics.port != 0, metrics.port == configuration.port {
            throw CommandFailure("--port must differ from METRICS_PORT (\(metrics.port)): /metrics has a listener of its own")
        }
        let poolSize = poolSize ?? platform.databasePoolSize

        logger.debug("runtime", metadata: ["tasks_on_event_loops": "\(Self.tasksRunOnEventLoops)"])
        // Before anything starts, the database included: a port in use would fail the group just started,
        // which is slow to stop, and a second serve started by mistake would have migrated the schema first.
        try await Self.requireListenable(
            configuration.hostname, configuration.port, hostSetting: "--hostname or API_HOST", portSetting: "--port or API_PORT")
        if let metrics = platform.metrics {
            try await Self.requireListenable(
                metrics.hostname, metrics.port, hostSetting: "METRICS_HOST", portSetting: "METRICS_PORT")
        }
        let context = try await PlatformContext.resolve(platform, logger: logger)
        if let folder = context.localFolder {
            // Said once at start: the local database outlives this process on purpose (fast restarts).
            logger.info(
                "local PostgreSQL running (started if it was not); it keeps running after serve exits, until `agentctl db stop`",
                metadata: ["folder": "\(folder.path)/postgres"])
        }
        // Before the database is touched: with no key to open API keys, serve cannot start, and a migration
        // run first would have changed the schema for nothing.
        let keyring = try await context.keyring()
        if !context.isLocal, let admin = context.adminURL {
            // Waited for, within a bound: a server started beside its database may come up first, and an
            // orchestrator restarting it in a loop would only add noise. (Unprobed, the pool would retry for a
            // minute, then fail without saying why.)
            try await admin.waitUntilReachable(patience: platform.databaseStartWait, logger: logger)
            _ = try await PostgresClient.withRunning(admin.clientConfiguration(maxConnections: 2), logger: logger) {
                try await Migrator(client: $0, logger: logger).up()
            }
        }
        if let admin = context.adminURL { await Self.warnOfKeysOutOfReach(admin: admin, keyring: keyring, logger: logger) }
        let registry = PrometheusCollectorRegistry()
        let metricsFactory = PrometheusMetricsFactory.platform(registry: registry)
        MetricsSystem.bootstrap(metricsFactory)
        let pool = PersistentConnectionPool(
            configuration: try context.runtimeURL.connectionConfiguration(), settings: .init(size: poolSize),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, metrics: metricsFactory, logger: logger)
        let store = AgentStore(client: pool, keyring: keyring, logger: logger)
        // One HTTP client for every provider call of the process: pooled connections, no redirects.
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
            configuration: ProviderClient.httpClientConfiguration())
        let providers = ProviderClient(httpClient: httpClient, addressPolicy: platform.providerAddressPolicy)
        let replies = ReplyGenerator(
            store: store, client: providers,
            settings: platform.replies, metrics: ProviderCallMetrics(factory: metricsFactory),
            logger: logger)
        let companions: [any APICompanion] = try platform.console.map { [try WebConsole(settings: $0)] } ?? []
        let app = try await buildApplication(
            store: store, replies: replies, configuration: configuration, services: [pool], companions: companions,
            registry: registry, logger: logger)
        // One group: both listeners start together, and SIGTERM or SIGINT drains and stops both; the
        // metrics listener, started first, stops last, so the API's last requests are still counted.
        // Services stop in reverse order: the replies drain first, while the API still serves their streams
        // and refuses new ones, then the API with its database pool.
        var services: [any Service] = []
        if let listener = platform.metrics {
            // Its lines are tagged: with port 0 for both, Hummingbird's "listening on" lines are told apart so.
            var metricsLogger = logger
            metricsLogger[metadataKey: "listener"] = "metrics"
            services.append(buildMetricsApplication(listener: listener, registry: registry, logger: metricsLogger))
            metricsLogger.info("serving /metrics", metadata: ["address": "\(listener.hostname):\(listener.port)"])
        }
        services.append(app)
        services.append(replies)
        if let admin = context.adminURL {
            // What a stopped instance left running is settled by itself, past any live generation's end.
            let settings = platform.replies
            services.append(
                InterruptedReplySweep(admin: admin, age: settings.interruptedAfter, logger: logger))
        } else {
            logger.info(
                "no ADMIN_DATABASE_URL: what a stopped instance leaves running is settled by `agentctl replies settle-interrupted`, not by serve"
            )
        }
        // A bound on the whole drain, whatever holds it (a request body that never ends, a wait this code did
        // not foresee): past it, every service's task is cancelled; ten seconds later still, the process
        // ends whatever holds it (`ShutdownWatchdog`).
        let drainLimit = platform.replies.shutdownGrace + Self.shutdownAllowance
        let watchdog = ShutdownWatchdog(limit: drainLimit + .seconds(10), logger: logger)
        watchdog.watchSignals()
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { ShutdownWatchdog.Watched(base: $0, watchdog: watchdog) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = drainLimit
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            // Every task the services start as children (Hummingbird's connections among them) inherits the
            // preference, and with it switches made in place (`EventLoopGroupTaskExecutor`).
            let loops = Self.tasksRunOnEventLoops ? EventLoopGroupTaskExecutor(.singleton) : nil
            try await withTaskExecutorPreference(loops) { try await group.run() }
        } catch {
            await providers.shutdown()
            try? await httpClient.shutdown()
            // Taken since the check: NIO's words for it are a system call's.
            if let error = error as? IOError, error.errnoCode == EADDRINUSE {
                throw CommandFailure(
                    "cannot listen on \(configuration.hostname):\(configuration.port) or the metrics port: the address is in use "
                        + "(another serve?); choose another with --port, API_PORT or METRICS_PORT")
            }
            throw error
        }
        await providers.shutdown()
        try await httpClient.shutdown()
    }

    /// Warns, at start, of stored API keys this keyring cannot open (sealed under a key id it lacks, or in
    /// the original design's format where that is refused): every reply through them would fail with
    /// `connection-key-unavailable`, which is easy to cause (a restart without the keys a rotation added)
    /// and otherwise seen only reply by reply. Names key ids and counts, never a key.
    static func warnOfKeysOutOfReach(admin: DatabaseURL, keyring: Keyring, logger: Logger) async {
        do {
            // Bounded: a lock held on the table (a migration, a VACUUM FULL) does not hold start-up long.
            let counted = try await withThrowingTaskGroup(of: [(keyID: String, connections: Int)]?.self) { group in
                group.addTask {
                    try await PostgresClient.withRunning(admin.clientConfiguration(maxConnections: 1), logger: logger) {
                        try await KeyRotation(admin: $0, keyring: keyring, logger: logger).keyUse()
                    }
                }
                group.addTask {
                    try await Task.sleep(for: keyCheckLimit)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard let use = counted else {
                logger.warning(
                    "the stored API keys' key ids were not read in time; whether this instance can open them is not checked",
                    metadata: ["limit": "\(keyCheckLimit)"])
                return
            }
            for (keyID, connections) in use {
                let opens =
                    keyID == KeyRotation.seedFormat ? keyring.acceptsSeedFormat : keyring.keyIDs.contains(keyID)
                guard !opens else { continue }
                logger.warning(
                    "stored API keys this instance cannot open: replies through their connections fail (connection-key-unavailable); give it the key (ENCRYPTION_KEYS) or see `agentctl keys verify`",
                    metadata: ["key_id": "\(keyID)", "connections": "\(connections)"])
            }
        } catch {
            logger.warning(
                "the stored API keys' key ids could not be read; whether this instance can open them is not checked",
                metadata: ["error_type": "\(type(of: error))", "database_code": "\(DatabaseFailureCode.of(error) ?? "none")"])
        }
    }

    /// How long start-up waits to count the stored keys by key id.
    static let keyCheckLimit = Duration.seconds(5)

    /// Fails, naming the address and the setting to change, when `host:port` cannot be listened on: another
    /// process listens there, the address is not this machine's, the name does not resolve, or the port
    /// needs privileges (NIO's words for each are a system call's or a resolver's).
    static func requireListenable(_ host: String, _ port: Int, hostSetting: String, portSetting: String) async throws {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        do {
            let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await listener.close()
        } catch let error as IOError {
            switch error.errnoCode {
            case EADDRINUSE:
                throw CommandFailure(
                    "cannot listen on \(address): the address is in use (another serve?); choose another with \(portSetting)")
            case EADDRNOTAVAIL:
                throw CommandFailure(
                    "cannot listen on \(address): the address is not one of this machine's; choose another with \(hostSetting)")
            case EACCES:
                throw CommandFailure(
                    "cannot listen on \(address): the port needs privileges this process lacks; choose one above 1023 with \(portSetting)"
                )
            default:
                throw CommandFailure("cannot listen on \(address): \(error.description)")
            }
        } catch is SocketAddressError.UnknownHost {
            throw CommandFailure(
                "cannot listen on \(address): the host name does not resolve; choose another with \(hostSetting)")
        }
    }
}
