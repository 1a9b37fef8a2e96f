// MARK: Catalogue

extension Setting {
    static let home = Setting("AGENT_PLATFORM_HOME", ["agentPlatformHome"])
    static let databaseURL = Setting("DATABASE_URL", ["database", "url"], secret: true)
    static let adminDatabaseURL = Setting("ADMIN_DATABASE_URL", ["adminDatabase", "url"], secret: true)
    static let databasePoolSize = Setting("DATABASE_POOL_SIZE", ["database", "poolSize"])
    static let databaseStartWaitSeconds = Setting("DATABASE_START_WAIT_SECONDS", ["database", "startWaitSeconds"])
    static let postgresBinDirectory = Setting("POSTGRES_BIN_DIR", ["postgres", "binDir"])
    static let encryptionKey = Setting("ENCRYPTION_KEY", ["encryption", "key"], secret: true)
    static let encryptionKeys = Setting("ENCRYPTION_KEYS", ["encryption", "keys"], secret: true)
    static let encryptionActiveKeyID = Setting("ENCRYPTION_ACTIVE_KEY_ID", ["encryption", "activeKeyId"])
    static let acceptSeedFormat = Setting("ACCEPT_SEED_FORMAT", ["acceptSeedFormat"])
    static let apiHost = Setting("API_HOST", ["api", "host"])
    static let apiPort = Setting("API_PORT", ["api", "port"])
    static let apiMaximumBodyBytes = Setting("API_MAX_BODY_BYTES", ["api", "maxBodyBytes"])
    static let apiIdleTimeoutSeconds = Setting("API_IDLE_TIMEOUT_SECONDS", ["api", "idleTimeoutSeconds"])
    static let apiRateLimitPerAddress = Setting("API_RATE_LIMIT_PER_ADDRESS", ["api", "rateLimitPerAddress"])
    static let apiRateLimitPerCredential = Setting("API_RATE_LIMIT_PER_CREDENTIAL", ["api", "rateLimitPerCredential"])
    static let apiFailedAuthPerMinute = Setting("API_FAILED_AUTH_PER_MINUTE", ["api", "failedAuthPerMinute"])
    static let apiTrustedProxies = Setting("API_TRUSTED_PROXIES", ["api", "trustedProxies"])
    static let apiMaximumConcurrentExports = Setting("API_MAX_CONCURRENT_EXPORTS", ["api", "maxConcurrentExports"])
    static let metricsHost = Setting("METRICS_HOST", ["metrics", "host"])
    static let metricsPort = Setting("METRICS_PORT", ["metrics", "port"])
    static let jwtSecret = Setting("JWT_HS256_SECRET", ["jwt", "hs256", "secret"], secret: true)
    static let jwtKeySetFile = Setting("JWT_JWKS_FILE", ["jwt", "jwksFile"])
    static let jwtIssuer = Setting("JWT_ISSUER", ["jwt", "issuer"])
    static let jwtAudience = Setting("JWT_AUDIENCE", ["jwt", "audience"])
    static let jwtAutoProvision = Setting("JWT_AUTO_PROVISION", ["jwt", "autoProvision"])
    static let tokenDefaultDays = Setting("TOKEN_DEFAULT_DAYS", ["token", "defaultDays"])
    static let tokenMaximumDays = Setting("TOKEN_MAX_DAYS", ["token", "maxDays"])
    static let logLevel = Setting("LOG_LEVEL", ["log", "level"])
    static let providerAllowedHosts = Setting("PROVIDER_ALLOWED_HOSTS", ["provider", "allowedHosts"])
    static let chatMonthlyTokenBudget = Setting("CHAT_MONTHLY_TOKEN_BUDGET", ["chat", "monthlyTokenBudget"])
    static let chatRequestsPerMinute = Setting("CHAT_REQUESTS_PER_MINUTE", ["chat", "requestsPerMinute"])
    static let replyTimeLimitSeconds = Setting("REPLY_TIME_LIMIT_SECONDS", ["reply", "timeLimitSeconds"])
    static let replyShutdownGraceSeconds = Setting("REPLY_SHUTDOWN_GRACE_SECONDS", ["reply", "shutdownGraceSeconds"])
    static let replyMaximumRunning = Setting("REPLY_MAX_RUNNING", ["reply", "maxRunning"])
    static let consoleEnabled = Setting("CONSOLE_ENABLED", ["console", "enabled"])
    static let consoleSecureCookies = Setting("CONSOLE_SECURE_COOKIES", ["console", "secureCookies"])
    static let consoleSessionHours = Setting("CONSOLE_SESSION_HOURS", ["console", "sessionHours"])
    static let consoleIdleMinutes = Setting("CONSOLE_IDLE_MINUTES", ["console", "idleMinutes"])

    /// Every setting, in the order `config check` prints them.
    static let all: [Setting] = [
        .home, .databaseURL, .adminDatabaseURL, .databasePoolSize, .databaseStartWaitSeconds, .postgresBinDirectory,
        .encryptionKey, .encryptionKeys, .encryptionActiveKeyID, .acceptSeedFormat,
        .apiHost, .apiPort, .apiMaximumBodyBytes, .apiIdleTimeoutSeconds,
        .apiRateLimitPerAddress, .apiRateLimitPerCredential, .apiFailedAuthPerMinute, .apiTrustedProxies,
        .apiMaximumConcurrentExports,
        .jwtSecret, .jwtKeySetFile, .jwtIssuer, .jwtAudience, .jwtAutoProvision,
        .tokenDefaultDays, .tokenMaximumDays,
        .metricsHost, .metricsPort,
        .providerAllowedHosts, .chatMonthlyTokenBudget, .chatRequestsPerMinute, .replyTimeLimitSeconds,
        .replyShutdownGraceSeconds, .replyMaximumRunning,
        .consoleEnabled, .consoleSecureCookies, .consoleSessionHours, .consoleIdleMinutes,
        .logLevel,
    ]

    /// The variable (or `--config`) naming the optional JSON configuration file.
    static let configurationFileVariable = "AGENT_PLATFORM_CONFIG"
}
