import AgentStore
import ArgumentParser
import Foundation
import LocalPostgres
import Logging

/// `agentctl db start|stop|status`: the local PostgreSQL cluster in `.local/postgres`.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Manage the local PostgreSQL cluster.",
        subcommands: [Start.self, Stop.self, Status.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start (initialising if needed) and migrate the local cluster; print its two URLs.")
        @OptionGroup var config: ConfigurationOptions

        func run() async throws {
            let configuration = try await config.load()
            guard configuration.database == nil else {
                throw CommandFailure("DATABASE_URL is set: the platform uses that server, not a local cluster")
            }
            let context = try await PlatformContext.resolve(configuration, logger: Logger(label: "agentctl"))
            print("ADMIN_DATABASE_URL=\(try context.requireAdmin().replacing())")
            print("DATABASE_URL=\(context.runtimeURL.replacing())")
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the local cluster.")
        @OptionGroup var config: ConfigurationOptions

        func run() async throws {
            let cluster = try PlatformContext.localCluster(try await config.load())
            // Nothing to stop is said so (still a success: the cluster is not running, as asked).
            switch cluster.status() {
            case .notInitialized: print("not initialised (\(cluster.folder.path)): nothing to stop")
            case .stopped: print("already stopped")
            case .running:
                try await cluster.stop()
                print("stopped")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether the local cluster runs.",
            discussion: "Exits 0 when it runs, 3 when it is stopped and 4 when it was never initialised, as pg_ctl status does.")
        @OptionGroup var config: ConfigurationOptions

        func run() async throws {
            let cluster = try PlatformContext.localCluster(try await config.load())
            switch cluster.status() {
            case .notInitialized:
                print("not initialised (\(cluster.folder.path))")
                throw ExitCode(4)
            case .stopped:
                print("stopped (\(cluster.folder.path))")
                throw ExitCode(3)
            case .running(let pid):
                print("running, pid \(pid), socket \(cluster.socketDirectory)")
            }
        }
    }
}
