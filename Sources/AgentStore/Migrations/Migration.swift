import Crypto
import Foundation

/// One versioned schema change, embedded in the binary.
///
/// Each statement runs on its own (PostgresNIO sends one statement per query), and all statements of
/// one migration run in one transaction, so a failed migration leaves nothing behind.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let up: [String]
    public let down: [String]

    public init(version: Int, name: String, up: [String], down: [String]) {
        self.version = version
        self.name = name
        self.up = up
        self.down = down
    }

    /// SHA-256 of the `up` statements: an edited migration that was already applied is detected by it.
    public var checksum: String {
        let text = up.joined(separator: "\n;\n")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension Migration {
    /// Every migration of the platform, in order.
    public static let all: [Migration] = [
        .initialSchema,
        .secretsAndAudit,
        .apiTokens,
        .tokenAuthentication,
        .chatReplies,
        .hardening,
        .search,
        .consoleSessions,
        .fingerprintGrant,
        .inlinedTenant,
        .scopedTokenCheck,
        .callStatements,
        .completionStart,
        .monthlyTokenUsage,
        .interruptedReplies,
        .tenantPages,
        .reviewedChecks,
        .honestReservations,
        .clearerRefusals,
        .retriedRequests,
        .limitsOutliveAccounts,
        .unusedTokenCheck,
        .callsOfDeletedAccounts,
        .tenantScaledIndexes,
        .idleConsoleSessions,
        .conversationThreads,
        .hourlyUsage,
        .recentConversations,
        .connectionOrder,
        .fairerEstimates,
        .accountGenerations,
    ]
}
