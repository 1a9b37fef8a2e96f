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

        func run() async throws {
            AgentCtl.bootstrapLogging()
            guard ProcessInfo.processInfo.environment["DATABASE_URL"] == nil else {
                throw CommandFailure("DATABASE_URL is set: the platform uses that server, not a local cluster")
            }
            let context = try await PlatformContext.resolve(logger: Logger(label: "agentctl"))
            print("ADMIN_DATABASE_URL=\(try context.requireAdmin().replacing())")
            print("DATABASE_URL=\(context.runtimeURL.replacing())")
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the local cluster.")

        func run() async throws {
            try PlatformContext.localCluster.stop()
            print("stopped")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the local cluster runs.")

        func run() async throws {
            let cluster = try PlatformContext.localCluster
            switch cluster.status() {
            case .notInitialized: print("not initialised (\(cluster.folder.path))")
            case .stopped: print("stopped (\(cluster.folder.path))")
            case .running(let pid):
                print("running, pid \(pid), socket \(cluster.socketDirectory)")
            }
        }
    }
}
