import AgentAPI
import AgentConsole
import AgentProviders
import AgentReplies
import AgentSecrets
import AgentStore
import Foundation
import Logging

/// Every setting of the platform, read and validated once at start-up (see
/// ``PlatformConfiguration/check(environment:configFile:currentDirectory:)``), then handed to the
/// modules as typed pieces: no module reads the environment itself.
struct PlatformConfiguration: Sendable {
    /// A database server of the operator's own, instead of the local cluster.
    struct ExternalDatabase: Sendable {
        /// `DATABASE_URL`: the runtime role's connection.
        var runtime: DatabaseURL
        /// `ADMIN_DATABASE_URL`: an administrator's connection, for migrations and cross-tenant commands.
        var admin: DatabaseURL?
    }

    /// `AGENT_PLATFORM_HOME`: the local cluster and its key live in `<home>/.local`.
    var home: URL
    /// `DATABASE_URL` and `ADMIN_DATABASE_URL`; nil runs the local cluster.
    var database: ExternalDatabase?
    /// `DATABASE_POOL_SIZE`: connections in `serve`'s pool.
    var databasePoolSize: Int
    /// `DATABASE_START_WAIT_SECONDS`: how long `serve` waits at start for an external database it must
    /// migrate first.
    var databaseStartWait: Duration
    /// `POSTGRES_BIN_DIR`: the local cluster's PostgreSQL programs; nil searches the usual places.
    var postgresBinDirectory: URL?
    /// `ENCRYPTION_KEY`, `ENCRYPTION_KEYS`, `ENCRYPTION_ACTIVE_KEY_ID`; nil when no key is configured.
    var keyring: Keyring?
    /// `ACCEPT_SEED_FORMAT` (default true): whether the original design's `iv:tag:ct` values still open,
    /// for the configured keyring and for the local key file's alike.
    var acceptsSeedFormat = true
    /// `API_*` and `JWT_*`.
    var api: APIConfiguration
    /// `METRICS_HOST` and `METRICS_PORT`: where `serve` answers `/metrics`; nil (no `METRICS_PORT`) serves none.
    var metrics: MetricsListener?
    /// `PROVIDER_ALLOWED_HOSTS`: hosts provider calls may reach although they are not public.
    var providerAddressPolicy: ProviderAddressPolicy
    /// `CHAT_*`, `REPLY_TIME_LIMIT_SECONDS`, `REPLY_SHUTDOWN_GRACE_SECONDS` and `REPLY_MAX_RUNNING`.
    var replies: ReplySettings
    /// `CONSOLE_*`: the web console served at `/`; nil when `CONSOLE_ENABLED=false`.
    var console: ConsoleSettings?
    /// `LOG_LEVEL`; nil leaves each command its own default.
    var logLevel: Logger.Level?

    /// Defaults of the settings that have one.
    static let defaultPoolSize = 20
    static let ports = 0...65535
    static let poolSizes = 1...1000
    static let defaultDatabaseStartWaitSeconds = 60
    static let databaseStartWaits = 0...3600
    /// `API_IDLE_TIMEOUT_SECONDS` (default 30, ``APIConfiguration``'s): an hour at most, so that idle or
    /// half-sent connections can never pile up for good.
    static let idleTimeoutSeconds = 1...3600
    /// `API_MAX_CONCURRENT_EXPORTS` (default 2, ``APIConfiguration``'s): each export holds a pooled
    /// connection while its client reads, so the bound stays well below any pool.
    static let concurrentExports = 1...100
    static let defaultReplyTimeLimitSeconds = 300
    static let defaultRequestsPerSecondPerAddress = 200
    static let defaultRequestsPerSecondPerCredential = 100
    static let defaultFailedAuthenticationsPerMinute = 30
    static let replyTimeLimits = 1...3600
    static let defaultReplyShutdownGraceSeconds = 15
    static let replyShutdownGraces = 0...3600
    static let defaultReplyMaximumRunning = 512
    static let replyMaximumRunnings = 1...100_000
    static let consoleSessionHours = 1...720
    static let defaultConsoleSessionHours = 12
    static let consoleIdleMinutes = 5...1440
    static let defaultConsoleIdleMinutes = 60
    /// The longest token lifetime an operator may allow: ten years.
    static let tokenDays = 1...3650
}
