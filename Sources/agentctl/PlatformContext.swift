import AgentSecrets
import AgentStore
import Foundation
import LocalPostgres
import Logging
import PostgresNIO

/// Where the platform's database is, and which keys seal API keys: from `DATABASE_URL` and
/// `ADMIN_DATABASE_URL`, or else from a local cluster that the platform starts itself in
/// `$AGENT_PLATFORM_HOME/.local` (default: the current directory).
struct PlatformContext {
    static let databaseName = "agent_platform"

    let adminURL: DatabaseURL?
    let runtimeURL: DatabaseURL
    let localFolder: URL?
    let configuration: PlatformConfiguration
    let logger: Logger

    var isLocal: Bool { localFolder != nil }

    /// The local cluster's home, `.local` of `AGENT_PLATFORM_HOME`.
    static func localHome(_ configuration: PlatformConfiguration) -> URL {
        configuration.home.appending(path: ".local", directoryHint: .isDirectory)
    }

    static func localCluster(_ configuration: PlatformConfiguration) throws -> LocalCluster {
        try LocalCluster(
            folder: localHome(configuration).appending(path: "postgres", directoryHint: .isDirectory),
            binDirectory: configuration.postgresBinDirectory, clientRoles: [PlatformDatabase.runtimeLogin])
    }

    /// Resolves the database; with no `DATABASE_URL`, starts the local cluster (initialising it on first
    /// use) and, when `migrate` is set, brings its schema up to date.
    static func resolve(
        _ configuration: PlatformConfiguration, migrate: Bool = true, logger: Logger
    ) async throws -> PlatformContext {
        if let database = configuration.database {
            return PlatformContext(
                adminURL: database.admin, runtimeURL: database.runtime, localFolder: nil, configuration: configuration,
                logger: logger)
        }
        let cluster = try localCluster(configuration)
        let wasRunning = if case .running = cluster.status() { true } else { false }
        let endpoint = try await cluster.start()
        if !wasRunning {
            // Standard error, whatever the log level: a cluster stopped on purpose (for a copy of its files,
            // say) is not started again without a word.
            StandardStream.error(
                "note: started the local PostgreSQL in \(cluster.folder.path); it keeps running until `agentctl db stop`\n")
        }
        let admin = try DatabaseURL(endpoint.url(user: endpoint.superuser, database: databaseName))
        try await PlatformDatabase.create(databaseName, admin: admin, logger: logger)
        if migrate {
            try await PostgresClient.withRunning(admin.clientConfiguration(maxConnections: 2), logger: logger) {
                try await PlatformDatabase.migrateAndEnsureRuntimeLogin(admin: $0, logger: logger)
            }
        }
        let runtime = try DatabaseURL(endpoint.url(user: PlatformDatabase.runtimeLogin, database: databaseName))
        return PlatformContext(
            adminURL: admin, runtimeURL: runtime, localFolder: localHome(configuration), configuration: configuration,
            logger: logger)
    }

    /// The administrator's URL, required by commands that migrate or cross tenants.
    func requireAdmin() throws -> DatabaseURL {
        guard let adminURL else {
            throw CommandFailure("this command needs ADMIN_DATABASE_URL (an administrator's connection) when DATABASE_URL is set")
        }
        return adminURL
    }

    /// The keyring from `ENCRYPTION_KEY` / `ENCRYPTION_KEYS`; for the local database, a key generated on
    /// first use and kept in `.local/encryption.key`. Against an external database a missing key is an error,
    /// and so is a missing key file where the local database holds API keys sealed with the key it held.
    func keyring() async throws -> Keyring {
        if let keyring = configuration.keyring { return keyring }
        guard let localFolder else {
            throw CommandFailure(
                "no encryption key: set ENCRYPTION_KEY (64 hex characters; `agentctl keys generate` makes one) or ENCRYPTION_KEYS"
            )
        }
        let file = localFolder.appending(path: "encryption.key")
        if !FileManager.default.fileExists(atPath: file.path) {
            // A key file deleted, or a database restored without it: a new key would open none of the API keys
            // sealed with the lost one and would seal new ones under the same id, so that no one key opens all.
            let sealed =
                try await withAdmin(maxConnections: 1) { try await KeyRotation.keyUse(admin: $0, logger: logger) }
                .first { $0.keyID == Keyring.localKeyID }?.connections ?? 0
            guard sealed == 0 else {
                throw CommandFailure(
                    "the local encryption key \(file.path) is missing, and the local database holds \(sealed) API "
                        + "key\(sealed == 1 ? "" : "s") sealed with it: restore the file (a new key would open none of them), "
                        + "or set ENCRYPTION_KEYS to local:<that key>")
            }
        }
        var (keyring, created) = try Keyring.loadOrCreateLocalKey(at: file)
        keyring.acceptsSeedFormat = configuration.acceptsSeedFormat
        if created {
            // Once, on the run that creates it; standard error, so it shows whatever the log level.
            StandardStream.error(
                "note: generated a local encryption key in \(localFolder.path)/encryption.key (set ENCRYPTION_KEY to use your own)\n"
            )
        }
        return keyring
    }

    /// Runs `body` with a pool on the runtime role, and the store over it; a database that cannot be
    /// reached fails the command at once, saying why (see `DatabaseURL.probe`).
    func withStore<Result: Sendable>(
        keyring: Keyring?, maxConnections: Int = 10, _ body: (AgentStore) async throws -> Result
    ) async throws -> Result {
        try await runtimeURL.probe(logger: logger)
        return try await PostgresClient.withRunning(
            runtimeURL.clientConfiguration(maxConnections: maxConnections), logger: logger
        ) {
            try await body(AgentStore(client: $0, keyring: keyring, logger: logger))
        }
    }

    /// Runs `body` with a pool on the administrator's role.
    func withAdmin<Result: Sendable>(maxConnections: Int = 4, _ body: (PostgresClient) async throws -> Result) async throws
        -> Result
    {
        let admin = try requireAdmin()
        try await admin.probe(logger: logger)
        return try await PostgresClient.withRunning(
            admin.clientConfiguration(maxConnections: maxConnections), logger: logger, body)
    }
}
