import AgentSecrets
import Foundation
import Logging
import PostgresNIO

/// Re-seals stored API keys under the keyring's active key, across all tenants, while the platform
/// keeps serving; and verifies that every stored key opens.
///
/// Runs on an administrator's pool but as the `agent_operator` role (`SET LOCAL ROLE`), whose policies
/// allow reading and re-sealing `api_connections` and nothing else. Each batch is one short
/// transaction that locks only its own rows (`FOR UPDATE`), so a concurrent update either waits for
/// the batch or is seen by it; none is lost. Rows already under the active key are skipped, so an
/// interrupted rotation resumes by running again. Each batch that examined rows writes its audit entry in
/// its own transaction, so the rows an interrupted run re-sealed are in the log too.
///
/// A row's `api_key_fingerprint` is keyed by the key that seals its `api_key` (see
/// ``Keyring/fingerprint(ofAPIKey:)``), so a re-sealed row gets its fingerprint recomputed in the same
/// update, and a row whose fingerprint is still in the unkeyed format is recomputed even when its key
/// need not be re-sealed.
public struct KeyRotation: Sendable {
    let admin: PostgresClient
    public let keyring: Keyring
    let logger: Logger

    public init(admin: PostgresClient, keyring: Keyring, logger: Logger) {
        self.admin = admin
        self.keyring = keyring
        self.logger = logger
    }

    /// A row that could not be opened: tenant and connection, never the key.
    public struct Failure: Sendable, Equatable {
        public let tenantID: String
        public let connectionID: String
        public let reason: String
    }

    public struct Report: Sendable {
        public var examined = 0
        public var resealed = 0
        /// Rows whose fingerprint was recomputed: every re-sealed row, and those with an unkeyed one.
        public var fingerprinted = 0
        public var failures: [Failure] = []
    }

    /// How many rows are not sealed under the active key or still have an unkeyed fingerprint.
    public func pendingCount() async throws -> Int {
        try await asOperator { connection in
            try await connection.rowsIfOpen(
                """
                SELECT count(*) FROM api_connections
                 WHERE api_key NOT LIKE \(activePrefix) OR api_key_fingerprint NOT LIKE \(keyedFingerprintPattern)
                """, logger: logger
            ).first?.decode(Int.self) ?? 0
        }
    }

    /// How many rows each key id seals (``seedFormat`` for the original design's `iv:tag:ct`, which carries no
    /// tenant or row binding: once none are left, `ACCEPT_SEED_FORMAT=false` loses nothing), most used first:
    /// a key may be retired only once no row names it.
    public func keyUse() async throws -> [(keyID: String, connections: Int)] {
        try await Self.keyUse(admin: admin, logger: logger)
    }

    /// ``keyUse()`` before there is a keyring: whether a key about to be made would leave rows sealed under
    /// the same id unopened.
    public static func keyUse(admin: PostgresClient, logger: Logger) async throws -> [(keyID: String, connections: Int)] {
        try await admin.withOperatorTransaction(logger: logger) { connection in
            try await connection.rowsIfOpen(
                """
                SELECT CASE WHEN api_key LIKE 'ak1.%' THEN split_part(api_key, '.', 2) ELSE \(Self.seedFormat) END, count(*)
                  FROM api_connections GROUP BY 1 ORDER BY 2 DESC, 1
                """, logger: logger
            ).map { row in
                let (keyID, count) = try row.decode((String, Int).self)
                return (keyID, count)
            }
        }
    }

    /// What ``keyUse()`` names the original design's format by: its shape, which no key id can be (they
    /// hold no `:`), where `seed` could be an operator's key id, and its rows counted as that format's.
    public static let seedFormat = "iv:tag:ct"

    /// Re-seals every row not under the active key, `batchSize` rows per transaction.
    /// `progress` receives the report after each batch.
    public func rotate(batchSize: Int = 200, progress: (Report) -> Void = { _ in }) async throws -> Report {
        var report = Report()
        var cursor = ""
        while true {
            let batch = try await asOperator { connection in
                let rows = try await connection.rowsIfOpen(
                    """
                    SELECT id, user_id, api_key FROM api_connections
                     WHERE id > \(cursor)
                       AND (api_key NOT LIKE \(activePrefix) OR api_key_fingerprint NOT LIKE \(keyedFingerprintPattern))
                     ORDER BY id LIMIT \(batchSize) FOR UPDATE
                    """, logger: logger
                ).map { try $0.decode((String, String, String).self) }
                var resealed = 0
                var fingerprinted = 0
                var failures: [Failure] = []
                for (id, tenant, stored) in rows {
                    do {
                        let context = SealContext(tenantID: tenant, connectionID: id)
                        let secret = try keyring.open(stored, context: context)
                        // Under the active key, as the re-sealed value: the pair stays keyed alike.
                        let fingerprint = keyring.fingerprint(of: secret)
                        if keyring.needsResealing(stored) {
                            let sealed = try keyring.seal(secret, context: context)
                            try await connection.rowsIfOpen(
                                """
                                UPDATE api_connections SET api_key = \(sealed), api_key_fingerprint = \(fingerprint)
                                 WHERE id = \(id)
                                """, logger: logger)
                            resealed += 1
                        } else {
                            try await connection.rowsIfOpen(
                                "UPDATE api_connections SET api_key_fingerprint = \(fingerprint) WHERE id = \(id)",
                                logger: logger)
                        }
                        fingerprinted += 1
                    } catch let error as SecretError {
                        failures.append(Failure(tenantID: tenant, connectionID: id, reason: error.description))
                    }
                }
                if !rows.isEmpty {
                    try await recordRotation(resealed: resealed, fingerprinted: fingerprinted, failed: failures.count, connection)
                }
                return (rows.last?.0, rows.count, resealed, fingerprinted, failures)
            }
            guard let last = batch.0 else { break }
            cursor = last
            report.examined += batch.1
            report.resealed += batch.2
            report.fingerprinted += batch.3
            report.failures += batch.4
            progress(report)
        }
        return report
    }

    /// Opens every stored key and reports the rows that fail.
    public func verify(batchSize: Int = 500, progress: (Report) -> Void = { _ in }) async throws -> Report {
        var report = Report()
        var cursor = ""
        while true {
            let rows = try await asOperator { connection in
                try await connection.rowsIfOpen(
                    "SELECT id, user_id, api_key FROM api_connections WHERE id > \(cursor) ORDER BY id LIMIT \(batchSize)",
                    logger: logger
                ).map { try $0.decode((String, String, String).self) }
            }
            guard let last = rows.last else { break }
            cursor = last.0
            for (id, tenant, stored) in rows {
                report.examined += 1
                do {
                    _ = try keyring.open(stored, context: SealContext(tenantID: tenant, connectionID: id))
                } catch {
                    report.failures.append(Failure(tenantID: tenant, connectionID: id, reason: error.description))
                }
            }
            progress(report)
        }
        // Every key was opened: that is in the log as every opening at runtime is.
        try await asOperator { connection in
            try await record(
                .keysVerified, details: ["examined": report.examined, "failed": report.failures.count], connection)
        }
        return report
    }

    // MARK: Steps

    /// `LIKE` pattern of values sealed under the active key; `_`, a wildcard, may occur in key ids.
    private var activePrefix: String {
        "ak1." + keyring.activeKeyID.replacingOccurrences(of: "_", with: "\\_") + ".%"
    }

    /// `LIKE` pattern of keyed fingerprints (``Keyring/fingerprintPrefix`` holds no wildcard).
    private var keyedFingerprintPattern: String { Keyring.fingerprintPrefix + "%" }

    /// A batch's re-sealing, in its transaction.
    private func recordRotation(resealed: Int, fingerprinted: Int, failed: Int, _ connection: PostgresConnection)
        async throws
    {
        try await record(
            .keysRotated, details: ["resealed": resealed, "fingerprinted": fingerprinted, "failed": failed], connection)
    }

    /// An operator's entry about the keyring: `details` are counts.
    private func record(_ action: AuditAction, details: [String: Int], _ connection: PostgresConnection) async throws {
        let object = try String(decoding: JSONEncoder().encode(details), as: UTF8.self)
        _ = try await connection.rowsIfOpen(
            """
            INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, details)
            VALUES (NULL, \(AuditEntry.operatorActor), \(action.rawValue), 'keyring', \(keyring.activeKeyID), \(object)::jsonb)
            """, logger: logger)
    }

    private func asOperator<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await admin.withOperatorTransaction(logger: logger, body)
    }
}
