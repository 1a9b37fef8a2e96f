import AgentSecrets
import AgentStore
import Logging
import PostgresNIO

extension BenchCommand {
    /// A bench's own database, dropped and created again (an earlier run's rows would only slow this
    /// one) and migrated, with a store on it whose keyring holds a new key under the id `default`, the id
    /// `ENCRYPTION_KEY` gets in the server: `body` gets the store, that key in hex, and the runtime URL.
    static func withFreshDatabase(
        _ name: String, options: ConfigurationOptions,
        _ body: (_ store: AgentStore, _ keyHex: String, _ runtimeURL: DatabaseURL, _ analyze: () async throws -> Void)
            async throws
            -> Void
    ) async throws {
        let configuration = try await options.load()
        let logger = Logger(label: "agentctl.bench")
        let context = try await PlatformContext.resolve(configuration, migrate: false, logger: logger)
        let server = try context.requireAdmin()
        let admin = try DatabaseURL(server.replacing(database: name))
        let runtime = try DatabaseURL(context.runtimeURL.replacing(database: name))
        try await PlatformDatabase.drop(name, admin: server, logger: logger)
        _ = try await PlatformDatabase.create(name, admin: server, logger: logger)
        try await PostgresClient.withRunning(admin.clientConfiguration(maxConnections: 1, persistent: true), logger: logger) {
            try await PlatformDatabase.migrateAndEnsureRuntimeLogin(admin: $0, logger: logger)
        }
        try await PostgresClient.withRunning(runtime.clientConfiguration(maxConnections: 2, persistent: true), logger: logger) {
            let keyHex = Keyring.generateKeyHex()
            let store = AgentStore(client: $0, keyring: try Keyring(keys: [(id: "default", hex: keyHex)]), logger: logger)
            // Statistics as autovacuum gathers them within a minute of loading: measured before, the planner
            // guesses, and a plan for a young table is not what the platform runs.
            let analyze = {
                try await PostgresClient.withRunning(
                    admin.clientConfiguration(maxConnections: 1, persistent: true), logger: logger
                ) {
                    _ = try await $0.query("ANALYZE", logger: logger)
                }
            }
            try await body(store, keyHex, runtime, analyze)
        }
    }
}
