import AgentStore
import ArgumentParser
import Logging

/// `agentctl migrate up|down|status`, as the administrator.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply or revert schema migrations.",
        subcommands: [Up.self, Down.self, Status.self])

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations.")
        // Read whatever follows, so that `--to -1` is refused as a version rather than taken for an option.
        @Option(parsing: .unconditional, help: "Stop at this version (default: the newest).") var to: Int?
        @OptionGroup var config: ConfigurationOptions

        func validate() throws { try MigrateCommand.validate(to) }

        func run() async throws {
            try await withMigrator(config) { migrator in
                let applied = try await migrator.up(to: to)
                guard applied.isEmpty else {
                    return print(applied.map { "applied \($0.version) \($0.name)" }.joined(separator: "\n"))
                }
                // Up to a version the schema is past is no "up to date": it stays where it is, which down reverts.
                if let to, case let current = try await migrator.status().current, current > to {
                    return print(
                        "nothing to apply: the schema is at version \(current), past \(to) (`migrate down --to \(to)` reverts)")
                }
                print("up to date")
            }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revert migrations, one version by default.")
        @Option(parsing: .unconditional, help: "Revert down to this version; 0 leaves an empty schema.") var to: Int?
        @OptionGroup var config: ConfigurationOptions

        func validate() throws { try MigrateCommand.validate(to) }

        func run() async throws {
            try await withMigrator(config) { migrator in
                let reverted = try await migrator.down(to: to)
                print(
                    reverted.isEmpty
                        ? "nothing to revert" : reverted.map { "reverted \($0.version) \($0.name)" }.joined(separator: "\n"))
            }
        }
    }

    /// A version is 0 (no migration) or more.
    static func validate(_ version: Int?) throws {
        if let version, version < 0 { throw ValidationError("--to must be a version, 0 or more") }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show applied and pending migrations.")
        @OptionGroup var config: ConfigurationOptions

        func run() async throws {
            try await withMigrator(config) { migrator in
                let status = try await migrator.status()
                print("current=\(status.current) latest=\(status.latest)")
                for migration in Migration.all {
                    print(
                        "\(status.applied.contains(migration.version) ? "applied" : "pending") \(migration.version) \(migration.name)"
                    )
                }
            }
        }
    }
}

private func withMigrator(_ options: ConfigurationOptions, _ body: (Migrator) async throws -> Void) async throws {
    let configuration = try await options.load()
    let logger = Logger(label: "agentctl.migrate")
    let context = try await PlatformContext.resolve(configuration, migrate: false, logger: logger)
    try await context.withAdmin(maxConnections: 2) { try await body(Migrator(client: $0, logger: logger)) }
}
