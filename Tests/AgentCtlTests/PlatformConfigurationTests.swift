import AgentAPI
import AgentConsole
import AgentProviders
import AgentReplies
import AgentSecrets
import AgentStore
import AgentTestSupport
import Foundation
import Logging
import Testing

@testable import agentctl

/// The configuration built from a given environment and file: every setting, defaults, precedence.
@Suite struct PlatformConfigurationTests {
    typealias Fixtures = ConfigurationFixtures

    static func check(_ environment: [String: String], file: String? = nil) async -> ConfigurationCheck {
        await PlatformConfiguration.check(environment: environment, configFile: file, currentDirectory: "/srv/agent")
    }

    static func sources(_ check: ConfigurationCheck) -> [String: SettingSource] {
        Dictionary(uniqueKeysWithValues: check.settings.map { ($0.setting.variable, $0.source) })
    }

    static func shown(_ check: ConfigurationCheck) -> [String: String] {
        Dictionary(uniqueKeysWithValues: check.settings.map { ($0.setting.variable, $0.shownValue) })
    }

    // MARK: Defaults

    @Test func defaultsWithNothingSet() async throws {
        let check = await Self.check(["HOME": "/root", "PATH": "/usr/bin"])
        let configuration = try check.get()
        #expect(configuration.home.path == "/srv/agent")
        #expect(configuration.database == nil)
        #expect(configuration.databasePoolSize == 20)
        #expect(configuration.databaseStartWait == .seconds(60))
        #expect(configuration.postgresBinDirectory == nil)
        #expect(configuration.keyring == nil)
        #expect(configuration.api.hostname == "127.0.0.1")
        #expect(configuration.api.port == 8080)
        #expect(configuration.api.maximumBodySize == 1024 * 1024)
        #expect(configuration.api.idleTimeout == .seconds(30))
        #expect(configuration.api.jwt == nil)
        #expect(configuration.api.tokenLifetime == TokenLifetime(defaultDays: 90, maximumDays: 365))
        #expect(configuration.metrics == nil)
        #expect(configuration.replies.shutdownGrace == .seconds(15))
        #expect(configuration.replies.maximumRunning == 512)
        #expect(configuration.logLevel == nil)
        #expect(check.file == nil)
        #expect(check.settings.map(\.setting) == Setting.all)
        #expect(check.settings.allSatisfy { $0.source == .default })
    }

    @Test func blankValuesCountAsUnset() async throws {
        let blank = Dictionary(uniqueKeysWithValues: Setting.all.map { ($0.variable, " ") })
        let check = await Self.check(blank)
        #expect(check.problems.isEmpty)
        #expect(check.settings.allSatisfy { $0.source == .default })
    }

    // MARK: Every setting

    static func fullEnvironment(keySetFile: String, binaries: String) -> [String: String] {
        [
            "AGENT_PLATFORM_HOME": "/var/lib/agent",
            "DATABASE_URL": Fixtures.databaseURL,
            "ADMIN_DATABASE_URL": Fixtures.adminURL,
            "DATABASE_POOL_SIZE": "7",
            "DATABASE_START_WAIT_SECONDS": "0",
            "POSTGRES_BIN_DIR": binaries,
            "ENCRYPTION_KEY": Fixtures.key,
            "ENCRYPTION_KEYS": "k2:\(Fixtures.otherKey)",
            "ENCRYPTION_ACTIVE_KEY_ID": "default",
            "ACCEPT_SEED_FORMAT": "false",
            "API_HOST": "0.0.0.0",
            "API_PORT": "9000",
            "API_MAX_BODY_BYTES": "2048",
            "API_IDLE_TIMEOUT_SECONDS": "45",
            "JWT_HS256_SECRET": Fixtures.jwtSecret,
            "JWT_JWKS_FILE": keySetFile,
            "JWT_ISSUER": "https://idp.example.test",
            "JWT_AUDIENCE": "agent-platform",
            "JWT_AUTO_PROVISION": "yes",
            "TOKEN_DEFAULT_DAYS": "30",
            "TOKEN_MAX_DAYS": "60",
            "METRICS_HOST": "0.0.0.0",
            "METRICS_PORT": "9090",
            "PROVIDER_ALLOWED_HOSTS": "127.0.0.1:8081,ollama.internal",
            "API_RATE_LIMIT_PER_ADDRESS": "300",
            "API_RATE_LIMIT_PER_CREDENTIAL": "0",
            "API_FAILED_AUTH_PER_MINUTE": "12", "API_TRUSTED_PROXIES": "10.0.0.2, 0:0:0:0:0:0:0:1",
            "API_MAX_CONCURRENT_EXPORTS": "3",
            "CHAT_MONTHLY_TOKEN_BUDGET": "1000000",
            "CHAT_REQUESTS_PER_MINUTE": "60",
            "REPLY_TIME_LIMIT_SECONDS": "120",
            "REPLY_SHUTDOWN_GRACE_SECONDS": "25",
            "REPLY_MAX_RUNNING": "64",
            "CONSOLE_ENABLED": "true",
            "CONSOLE_SECURE_COOKIES": "true",
            "CONSOLE_SESSION_HOURS": "8",
            "CONSOLE_IDLE_MINUTES": "30",
            "LOG_LEVEL": "debug",
        ]
    }

    static func expectFull(_ configuration: PlatformConfiguration, keySet: String, binaries: String) {
        #expect(configuration.home.path == "/var/lib/agent")
        #expect(configuration.database?.runtime.user == "app")
        let passwordRead = configuration.database?.runtime.password == Fixtures.databasePassword
        #expect(passwordRead)
        #expect(configuration.database?.runtime.port == 5433)
        #expect(configuration.database?.admin?.user == "owner")
        #expect(configuration.databasePoolSize == 7)
        #expect(configuration.databaseStartWait == .zero)
        #expect(configuration.postgresBinDirectory?.path == binaries)
        #expect(configuration.keyring?.keyIDs == ["k2", "default"])
        #expect(configuration.keyring?.activeKeyID == "default")
        #expect(configuration.keyring?.acceptsSeedFormat == false && configuration.acceptsSeedFormat == false)
        #expect(configuration.api.hostname == "0.0.0.0")
        #expect(configuration.api.port == 9000)
        #expect(configuration.api.maximumBodySize == 2048)
        #expect(configuration.api.idleTimeout == .seconds(45))
        #expect(configuration.api.jwt?.hs256Secret == Fixtures.jwtSecret)
        #expect(configuration.api.jwt?.jwks == keySet)
        #expect(configuration.api.jwt?.issuer == "https://idp.example.test")
        #expect(configuration.api.jwt?.audience == "agent-platform")
        #expect(configuration.api.jwt?.autoProvision == true)
        #expect(configuration.api.tokenLifetime == TokenLifetime(defaultDays: 30, maximumDays: 60))
        #expect(configuration.metrics == MetricsListener(hostname: "0.0.0.0", port: 9090))
        #expect(configuration.providerAddressPolicy.allows(host: "127.0.0.1", port: 8081))
        #expect(!configuration.providerAddressPolicy.allows(host: "127.0.0.1", port: 8082))
        #expect(configuration.providerAddressPolicy.allows(host: "ollama.internal", port: 11434))
        #expect(configuration.replies.defaultLimits == ChatLimits(monthlyTokenBudget: 1_000_000, requestsPerMinute: 60))
        #expect(configuration.replies.timeLimit == .seconds(120))
        #expect(configuration.replies.shutdownGrace == .seconds(25))
        #expect(configuration.replies.maximumRunning == 64)
        #expect(configuration.api.rateLimits.perAddress == RateLimits.Rate(perSecond: 300))
        #expect(configuration.api.rateLimits.perCredential == nil)
        #expect(configuration.api.rateLimits.failedAuthentications == RateLimits.Rate(perSecond: 0.2, burst: 12))
        #expect(configuration.api.rateLimits.trustedProxies == ["10.0.0.2", "::1"])
        #expect(configuration.api.maximumConcurrentExports == 3)
        #expect(
            configuration.console
                == ConsoleSettings(sessionLifetime: .seconds(8 * 3600), secureCookies: true, idleTimeout: .seconds(30 * 60)))
        #expect(configuration.logLevel == .debug)
    }

    @Test func everySettingFromTheEnvironment() async throws {
        let keySet = try Fixtures.keySet()
        let keySetFile = try Fixtures.file(keySet, named: "jwks.json")
        let binaries = try Fixtures.fakeBinaries()
        let check = await Self.check(Self.fullEnvironment(keySetFile: keySetFile, binaries: binaries))
        Self.expectFull(try check.get(), keySet: keySet, binaries: binaries)
        #expect(check.settings.allSatisfy { $0.source == .environment })
    }

    @Test func everySettingFromAFile() async throws {
        let keySet = try Fixtures.keySet()
        let keySetFile = try Fixtures.file(keySet, named: "jwks.json")
        let binaries = try Fixtures.fakeBinaries()
        let file = try Fixtures.file(
            """
            {
              "agentPlatformHome": "/var/lib/agent",
              "database": {"url": "\(Fixtures.databaseURL)", "poolSize": 7, "startWaitSeconds": 0},
              "adminDatabase": {"url": "\(Fixtures.adminURL)"},
              "postgres": {"binDir": "\(binaries)"},
              "encryption": {"key": "\(Fixtures.key)", "keys": "k2:\(Fixtures.otherKey)", "activeKeyId": "default"},
              "acceptSeedFormat": false,
              "api": {
                "host": "0.0.0.0", "port": 9000, "maxBodyBytes": 2048, "idleTimeoutSeconds": 45,
                "rateLimitPerAddress": 300, "rateLimitPerCredential": 0, "failedAuthPerMinute": 12,
                "trustedProxies": "10.0.0.2, 0:0:0:0:0:0:0:1",
                "maxConcurrentExports": 3
              },
              "jwt": {
                "hs256": {"secret": "\(Fixtures.jwtSecret)"}, "jwksFile": "\(keySetFile)",
                "issuer": "https://idp.example.test", "audience": "agent-platform", "autoProvision": true
              },
              "token": {"defaultDays": 30, "maxDays": 60},
              "metrics": {"host": "0.0.0.0", "port": 9090},
              "provider": {"allowedHosts": "127.0.0.1:8081,ollama.internal"},
              "chat": {"monthlyTokenBudget": 1000000, "requestsPerMinute": 60},
              "reply": {"timeLimitSeconds": 120, "shutdownGraceSeconds": 25, "maxRunning": 64},
              "console": {"enabled": true, "secureCookies": true, "sessionHours": 8, "idleMinutes": 30},
              "log": {"level": "debug"}
            }
            """)
        let check = await Self.check(["AGENT_PLATFORM_CONFIG": file])
        Self.expectFull(try check.get(), keySet: keySet, binaries: binaries)
        #expect(check.file == file)
        #expect(check.settings.allSatisfy { $0.source == .file })
    }

    @Test func theEnvironmentWinsOverTheFileAndTheOptionOverTheVariable() async throws {
        let file = try Fixtures.file(#"{"api": {"port": 9000, "host": "0.0.0.0"}}"#)
        let check = await Self.check(["AGENT_PLATFORM_CONFIG": "/nonexistent.json", "API_PORT": "9100"], file: file)
        let configuration = try check.get()
        #expect(configuration.api.port == 9100)
        #expect(configuration.api.hostname == "0.0.0.0")
        #expect(Self.sources(check)["API_PORT"] == .environment)
        #expect(Self.sources(check)["API_HOST"] == .file)
        #expect(Self.sources(check)["LOG_LEVEL"] == .default)
    }

    @Test func theConsoleCanBeTurnedOffAndItsSessionLengthIsBounded() async throws {
        #expect(try await Self.check(["CONSOLE_ENABLED": "false"]).get().console == nil)
        #expect(try await Self.check([:]).get().console == ConsoleSettings())
        #expect(try await Self.check([:]).get().console?.idleTimeout == .seconds(3600))
        for outside in [["CONSOLE_SESSION_HOURS": "721"], ["CONSOLE_IDLE_MINUTES": "4"], ["CONSOLE_IDLE_MINUTES": "1441"]] {
            let refused = await Self.check(outside)
            #expect(throws: (any Error).self, "\(outside)") { try refused.get() }
        }
    }

    @Test func metricsAreServedOnlyWhenAPortIsGiven() async throws {
        #expect(
            try await Self.check(["METRICS_PORT": "9090"]).get().metrics == MetricsListener(hostname: "127.0.0.1", port: 9090))
        // 0 picks a free port for each listener, so both may ask for it.
        #expect(try await Self.check(["API_PORT": "0", "METRICS_PORT": "0"]).get().metrics?.port == 0)
        let conflict = await Self.check(["API_PORT": "9100", "METRICS_PORT": "9100"])
        #expect(conflict.problems.map(\.message) == ["METRICS_PORT must differ from API_PORT"])
        #expect(Self.shown(await Self.check([:]))["METRICS_PORT"] == "(not set: /metrics is not served)")
    }

    /// Without `DATABASE_URL` the commands use the local cluster: an `ADMIN_DATABASE_URL` alone was ignored,
    /// and `migrate` or `keys rotate` ran against the local cluster, saying nothing.
    @Test func anAdministratorURLAloneIsAProblem() async throws {
        let alone = await Self.check(["ADMIN_DATABASE_URL": Fixtures.adminURL])
        #expect(
            alone.problems.map(\.message) == [
                "ADMIN_DATABASE_URL is set without DATABASE_URL: set both (an external database) or neither (the local cluster)"
            ])
        #expect(!ConfigCommand.Check.report(alone).contains(Fixtures.databasePassword))
        #expect(
            await Self.check(["ADMIN_DATABASE_URL": Fixtures.adminURL, "DATABASE_URL": Fixtures.databaseURL]).problems.isEmpty)
    }

    // MARK: Redaction

    @Test func secretsAreRedactedInTheReport() async throws {
        let check = await Self.check([
            "DATABASE_URL": Fixtures.databaseURL, "ADMIN_DATABASE_URL": Fixtures.adminURL,
            "ENCRYPTION_KEY": Fixtures.key, "JWT_HS256_SECRET": Fixtures.jwtSecret,
        ])
        let shown = Self.shown(check)
        #expect(shown["DATABASE_URL"] == "postgresql://app:***@db.example.test:5433/agents")
        #expect(shown["ADMIN_DATABASE_URL"] == "postgresql://owner:***@db.example.test:5433/agents")
        // Compared outside the expectations, which would print a value shown unredacted.
        let keyRedacted = shown["ENCRYPTION_KEY"] == "<redacted>"
        let secretRedacted = shown["JWT_HS256_SECRET"] == "<redacted>"
        #expect(keyRedacted && secretRedacted)
        let report = ConfigCommand.Check.report(check)
        for secret in [Fixtures.databasePassword, Fixtures.key, Fixtures.jwtSecret] {
            SecretCheck.expectAbsent(secret, in: report)
        }
    }
}
