import AgentAPI
import AgentProviders
import AgentReplies
import AgentSecrets
import AgentStore
import Configuration
import Foundation
import LocalPostgres
import Logging

extension PlatformConfiguration {
    /// Reads every setting from `environment` and, when one is named (by `configFile`, the `--config`
    /// option, else `AGENT_PLATFORM_CONFIG`), a JSON configuration file; environment variables win over
    /// the file. Validates everything and collects every problem rather than stopping at the first.
    static func check(
        environment: [String: String], configFile: String? = nil,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) async -> ConfigurationCheck {
        // Only the platform's own variables reach the reader: nothing else of the environment is kept.
        let variables = Setting.all.compactMap { setting in
            environment[setting.variable].flatMap { $0.allSatisfy(\.isWhitespace) ? nil : (setting.variable, $0) }
        }
        let secrets = Set(Setting.all.filter(\.isSecret).map(\.variable))
        let environmentProvider = EnvironmentVariablesProvider(
            environmentVariables: Dictionary(uniqueKeysWithValues: variables), secretsSpecifier: .specific(secrets))

        var fileProblems: [PlatformConfigurationError.Problem] = []
        var file: (path: String, opened: ConfigurationFile.Opened)?
        var named: (path: String, variable: String)?
        if let configFile {
            named = (path: configFile, variable: "--config")
        } else if let path = environment[Setting.configurationFileVariable], !path.isEmpty {
            named = (path: path, variable: Setting.configurationFileVariable)
        }
        if let named {
            switch await ConfigurationFile.open(named.path, variable: named.variable) {
            case .success(let opened): file = (named.path, opened)
            case .failure(let error): fileProblems = error.problems
            }
        }

        var settings = SettingsReader(environment: environmentProvider, file: file)
        for problem in fileProblems { settings.fail(variable: problem.setting, message: problem.message) }
        let configuration = await read(&settings, currentDirectory: currentDirectory)
        return ConfigurationCheck(
            file: named?.path, fileRead: named == nil || file != nil, settings: settings.shown, problems: settings.problems,
            configuration: settings.problems.isEmpty ? configuration : nil)
    }

    /// ``check(environment:configFile:currentDirectory:)``, throwing when any setting is invalid.
    static func load(
        environment: [String: String], configFile: String? = nil,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) async throws(PlatformConfigurationError) -> PlatformConfiguration {
        try await check(environment: environment, configFile: configFile, currentDirectory: currentDirectory).get()
    }

    // MARK: Settings

    private static func read(_ settings: inout SettingsReader, currentDirectory: String) async -> PlatformConfiguration {
        let home = settings.string(.home)
        settings.show(.home, home ?? currentDirectory, isSet: home != nil)

        let database = readDatabase(&settings)
        let poolSize = settings.int(.databasePoolSize, in: poolSizes, default: defaultPoolSize)
        let startWait = settings.int(
            .databaseStartWaitSeconds, in: databaseStartWaits, default: defaultDatabaseStartWaitSeconds)

        let binDirectory = settings.string(.postgresBinDirectory).map { URL(fileURLWithPath: $0, isDirectory: true) }
        if let binDirectory, !LocalCluster.hasServerPrograms(in: binDirectory) {
            settings.fail(.postgresBinDirectory, "must name a folder holding initdb, pg_ctl and postgres")
        }
        settings.show(
            .postgresBinDirectory, binDirectory?.path ?? "(searched: Debian's folders, then PATH)", isSet: binDirectory != nil)

        let (keyring, acceptsSeedFormat) = readKeyring(&settings)
        let api = await readAPI(&settings)
        let metrics = readMetrics(&settings, api: api)

        let addressPolicy = readAddressPolicy(&settings)
        let replies = readReplies(&settings)
        let console = readConsole(&settings)

        let levelText = settings.string(.logLevel)
        let level = levelText.flatMap { Logger.Level(rawValue: $0.lowercased()) }
        if levelText != nil, level == nil {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            settings.fail(.logLevel, "must be one of \(levels)")
        }
        settings.show(.logLevel, level?.rawValue ?? "(info for serve, warning for other commands)", isSet: level != nil)

        return PlatformConfiguration(
            home: URL(fileURLWithPath: home ?? currentDirectory, isDirectory: true), database: database,
            databasePoolSize: poolSize, databaseStartWait: .seconds(startWait), postgresBinDirectory: binDirectory,
            keyring: keyring,
            acceptsSeedFormat: acceptsSeedFormat, api: api, metrics: metrics, providerAddressPolicy: addressPolicy,
            replies: replies,
            console: console, logLevel: level)
    }

    private static func readDatabase(_ settings: inout SettingsReader) -> ExternalDatabase? {
        let runtime = databaseURL(.databaseURL, &settings)
        settings.showMasked(
            .databaseURL, runtime.map(String.init(describing:)) ?? "(not set: the local cluster in AGENT_PLATFORM_HOME/.local)")
        let admin = databaseURL(.adminDatabaseURL, &settings)
        settings.showMasked(.adminDatabaseURL, admin.map(String.init(describing:)) ?? "(not set)")
        // Alone it would be ignored: the commands would migrate, rotate keys in, the local cluster instead.
        if admin != nil, runtime == nil, settings.string(.databaseURL) == nil {
            settings.fail(
                .adminDatabaseURL,
                "is set without DATABASE_URL: set both (an external database) or neither (the local cluster)")
        }
        return runtime.map { ExternalDatabase(runtime: $0, admin: admin) }
    }

    private static func databaseURL(_ setting: Setting, _ settings: inout SettingsReader) -> DatabaseURL? {
        guard let text = settings.string(setting) else { return nil }
        do {
            return try DatabaseURL(text)
        } catch {
            // DatabaseURLError names the problem, never the URL (which may hold a password).
            settings.fail(setting, error.problem)
            return nil
        }
    }

    /// `ENCRYPTION_*` and `ACCEPT_SEED_FORMAT`, which the keyring returned already follows.
    private static func readKeyring(_ settings: inout SettingsReader) -> (Keyring?, acceptsSeedFormat: Bool) {
        let key = settings.string(.encryptionKey)
        let keys = settings.string(.encryptionKeys)
        let activeKeyID = settings.string(.encryptionActiveKeyID)
        var keyring: Keyring?
        do {
            keyring = try Keyring.fromSettings(encryptionKey: key, encryptionKeys: keys, activeKeyID: activeKeyID)
        } catch {
            // KeyringError names the setting and, once validated, key ids; never a key.
            settings.fail(error.setting, message: error.description)
        }
        settings.show(.encryptionKey, "(not set)", isSet: key != nil)
        settings.show(.encryptionKeys, "(not set)", isSet: keys != nil)
        let active = keyring?.activeKeyID ?? activeKeyID ?? "(not set)"
        settings.show(.encryptionActiveKeyID, active, isSet: activeKeyID != nil)
        let acceptsSeedFormat = settings.bool(.acceptSeedFormat)
        settings.show(.acceptSeedFormat, "\(acceptsSeedFormat ?? true)", isSet: acceptsSeedFormat != nil)
        keyring?.acceptsSeedFormat = acceptsSeedFormat ?? true
        return (keyring, acceptsSeedFormat ?? true)
    }

    // MARK: Replies

    private static func readAddressPolicy(_ settings: inout SettingsReader) -> ProviderAddressPolicy {
        let text = settings.string(.providerAllowedHosts)
        var policy = ProviderAddressPolicy.publicOnly
        do {
            policy = try ProviderAddressPolicy(allowlist: text ?? "")
        } catch {
            settings.fail(.providerAllowedHosts, "\(error.description); expected a comma-separated list of host[:port]")
        }
        settings.show(
            .providerAllowedHosts, text ?? "(not set: provider calls reach public addresses only)", isSet: text != nil)
        return policy
    }

    private static func readReplies(_ settings: inout SettingsReader) -> ReplySettings {
        let budget = settings.int(.chatMonthlyTokenBudget)
        if let budget, budget < 0 { settings.fail(.chatMonthlyTokenBudget, "must be a non-negative integer") }
        settings.show(.chatMonthlyTokenBudget, budget.map(String.init) ?? "(not set: unlimited)", isSet: budget != nil)
        let rate = settings.int(.chatRequestsPerMinute)
        if let rate, rate < 0 || rate > Int(Int32.max) {
            settings.fail(.chatRequestsPerMinute, "must be an integer from 0 to 2147483647")
        }
        settings.show(.chatRequestsPerMinute, rate.map(String.init) ?? "(not set: unlimited)", isSet: rate != nil)
        let limit = settings.int(.replyTimeLimitSeconds, in: replyTimeLimits, default: defaultReplyTimeLimitSeconds)
        let grace = settings.int(
            .replyShutdownGraceSeconds, in: replyShutdownGraces, default: defaultReplyShutdownGraceSeconds)
        let running = settings.int(.replyMaximumRunning, in: replyMaximumRunnings, default: defaultReplyMaximumRunning)
        return ReplySettings(
            defaultLimits: ChatLimits(monthlyTokenBudget: budget, requestsPerMinute: rate), timeLimit: .seconds(limit),
            shutdownGrace: .seconds(grace), maximumRunning: running)
    }
}
