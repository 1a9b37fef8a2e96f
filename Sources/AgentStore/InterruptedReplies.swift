import Foundation
import Logging
import PostgresNIO

/// Settles, across all tenants, the provider calls and replies that a stopped platform left running: each
/// becomes `failed` with the problem type ``slug``, and each call's reservation is released.
///
/// Runs on an administrator's pool as the `agent_operator` role, which sees only the id, status and start
/// of running calls and streaming replies (migration 15). Only rows started before a cutoff are touched:
/// pass one well past the reply time limit, which no generation outlives, so that nothing a live process
/// still streams is settled under it.
public struct InterruptedReplies: Sendable {
    /// The problem type recorded as the error of what was settled here.
    public static let slug = "reply-interrupted"

    let admin: PostgresClient
    let logger: Logger

    public init(admin: PostgresClient, logger: Logger) {
        self.admin = admin
        self.logger = logger
    }

    /// What one settlement changed.
    public struct Report: Sendable, Equatable {
        public var calls: Int
        public var replies: Int

        public init(calls: Int, replies: Int) {
            self.calls = calls
            self.replies = replies
        }
    }

    /// Settles what started more than `age` ago and is still running, in one transaction, and records it in
    /// the operator's audit log when there was any. The rows are locked first, so a settlement racing this
    /// one either waits for it or has already won; the role may not read back what it changed. The cutoff is
    /// the database's clock less `age`, the clock that stamped the rows, not the operator's machine's.
    public func settle(olderThan age: Duration) async throws -> Report {
        try await admin.withConnection { try await Self.settle(olderThan: age, on: $0, logger: logger) }
    }

    /// ``settle(olderThan:)`` on an administrator's connection.
    static func settle(olderThan age: Duration, on connection: PostgresConnection, logger: Logger) async throws -> Report {
        let seconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
        return try await connection.withOperatorTransaction(logger: logger) { connection in
            let cutoff = try await connection.rowsIfOpen(
                "SELECT clock_timestamp() - make_interval(secs => \(seconds))", logger: logger
            ).first.unwrapped(or: .unavailable(reason: "the database said no time")).decode(Date.self)
            let calls = try await Self.ids(
                connection.rowsIfOpen(
                    "SELECT id FROM provider_calls WHERE status = 'running' AND started_at < \(cutoff) FOR UPDATE",
                    logger: logger))
            try await connection.rowsIfOpen(
                """
                UPDATE provider_calls
                   SET status = 'failed', error = \(Self.slug), reserved_tokens = 0, finished_at = clock_timestamp()
                 WHERE id = ANY(\(calls)) AND status = 'running'
                """, logger: logger)
            let replies = try await Self.ids(
                connection.rowsIfOpen(
                    "SELECT id FROM agent_messages WHERE status = 'streaming' AND created_at < \(cutoff) FOR UPDATE",
                    logger: logger))
            try await connection.rowsIfOpen(
                """
                UPDATE agent_messages SET status = 'failed', error = \(Self.slug)
                 WHERE id = ANY(\(replies)) AND status = 'streaming'
                """, logger: logger)
            if !calls.isEmpty || !replies.isEmpty {
                try await connection.rowsIfOpen(
                    """
                    INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, details)
                    VALUES (NULL, \(AuditEntry.operatorActor), \(AuditAction.repliesInterrupted.rawValue), 'platform', NULL,
                            jsonb_build_object('calls', \(calls.count)::integer, 'replies', \(replies.count)::integer,
                                               'started_before', \(cutoff)::timestamptz))
                    """, logger: logger)
            }
            return Report(calls: calls.count, replies: replies.count)
        }
    }

    private static func ids(_ rows: [PostgresRow]) throws -> [String] {
        try rows.map { try $0.decode(String.self) }
    }
}
