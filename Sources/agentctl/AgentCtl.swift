import AgentStore
import ArgumentParser
import Foundation
import LocalPostgres
import Logging
import PostgresNIO

/// The operator's command line: runs the platform, its local database, migrations, keys and benchmarks.
@main
struct AgentCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentctl",
        abstract: "Operate the Agent Platform.",
        subcommands: [
            ServeCommand.self, DatabaseCommand.self, MigrateCommand.self, UsersCommand.self,
            TokensCommand.self, KeysCommand.self, RepliesCommand.self, BenchCommand.self, ConfigCommand.self, DevCommand.self,
        ])

    /// Runs the command; database errors are shown by SQL state and server message (PostgresNIO hides
    /// both by default), never with the query's bound values.
    static func main() async {
        // The server runs its tasks on NIO's event loops, where its sockets and database connections
        // live, instead of hopping to the concurrency pool and back on every read and write. Only
        // `serve`: other commands wait on child processes, which must not block an event loop.
        if CommandLine.arguments.dropFirst().first == ServeCommand.configuration.commandName {
            _ = ServeCommand.tasksRunOnEventLoops
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as PSQLError {
            let state = DatabaseFailureCode.of(error) ?? "\(error.code)"
            let message = error.serverInfo?[.message] ?? "the database connection failed"
            StandardStream.error("error: database: \(message) (SQLSTATE \(state))\n")
            Foundation.exit(1)
        } catch let error as StoreError {
            StandardStream.error("error: \(error)\n")
            Foundation.exit(1)
        } catch let error as LocalClusterError {
            // It may quote the server's log and `pg_ctl`'s output.
            StandardStream.error("error: \(String(describing: error).terminalSafeLines)\n")
            Foundation.exit(1)
        } catch let error as DatabaseUnreachable {
            StandardStream.error("error: \(error)\n")
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }

    /// Logs go to standard error, so that standard output carries only what a command prints.
    /// `level` comes from the validated configuration (``ConfigurationOptions/load(defaultLogLevel:)``).
    static func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in LogLineHandler(label: label, level: level) }
    }
}

/// A command-line failure: printed as `error: ...`, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
