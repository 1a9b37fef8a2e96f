import AgentReplies
import AgentStore
import ArgumentParser
import Foundation
import Logging

/// `agentctl replies ...`: what an operator does about replies across tenants.
struct RepliesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replies", abstract: "Operate on replies across tenants.", subcommands: [SettleInterrupted.self])

    struct SettleInterrupted: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "settle-interrupted",
            abstract: "Settle the provider calls and replies a stopped platform left running, as failed.",
            discussion: """
                A platform process that dies while it streams leaves its calls running, their tokens reserved \
                against the tenant's budget, and their replies streaming. Those that started more than \
                --older-than-seconds ago (by default the reply time limit and a minute, which no generation \
                outlives) become failed with the problem type reply-interrupted, their reservations released; \
                the operator's audit log records how many. Safe to run while the platform serves, and on a \
                schedule.
                """)
        @Option(help: "Settle only what started this many seconds ago or earlier (at least the reply time limit).")
        var olderThanSeconds: Int?
        @OptionGroup var config: ConfigurationOptions

        func run() async throws {
            let configuration = try await config.load()
            let timeLimit = Int(configuration.replies.timeLimit.components.seconds)
            let age = olderThanSeconds ?? timeLimit + 60
            // Ten years at most: a date further back is no use, and past PostgresNIO's range it would stop
            // the command on a trap rather than an error.
            guard age <= 10 * 366 * 86_400 else {
                throw CommandFailure("--older-than-seconds must be at most ten years (316,224,000 s)")
            }
            guard age >= timeLimit else {
                throw CommandFailure(
                    "--older-than-seconds must be at least the reply time limit (\(timeLimit) s): a reply younger may still be generating"
                )
            }
            let logger = Logger(label: "agentctl.replies")
            let context = try await PlatformContext.resolve(configuration, logger: logger)
            let report = try await context.withAdmin(maxConnections: 1) { admin in
                try await InterruptedReplies(admin: admin, logger: logger).settle(
                    olderThan: .seconds(age))
            }
            print("settled as interrupted: \(report.calls) provider calls, \(report.replies) replies (started over \(age) s ago)")
        }
    }
}
