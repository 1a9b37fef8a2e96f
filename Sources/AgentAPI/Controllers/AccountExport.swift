import AgentStore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// A user's data as one JSON document, written as it is read from one snapshot of the store
/// (``AccountSnapshot``): consistent as of one instant, with no more than a few pages in memory.
///
/// The document is `{"user": ..., "agents": [...], "connections": [...], "agent_connections": [...], "tokens": [...],
/// "conversations": [{..., "messages": [...]}], "feedback": [...], "audit_log": [...]}`.
struct AccountExport: Sendable {
    /// The snapshot's first element, read before the response starts so that a bad token or a missing
    /// user is a clean problem rather than a broken download.
    let user: User
    /// The rest of the snapshot.
    let rows: AccountSnapshot.Iterator
    let logger: Logger
    /// This export's place among the process's concurrent exports, given back when the export is dropped.
    let slot: RequestSlots.Slot
    /// When the export is cut off, however fast its client reads.
    let deadline: ContinuousClock.Instant

    /// The most of the document written at once.
    static let sliceBytes = 64 * 1024

    /// How long a client refused a slot is told to wait: about what a small export takes.
    static let retryAfterSeconds = 5

    /// Takes a slot among the process's exports (a 503 with `Retry-After` when all are taken; a 429 when
    /// this tenant's export already runs, so that one tenant cannot hold them all), records the export in
    /// the audit log, then starts the snapshot of the request's tenant and reads its user.
    static func start(
        _ store: AgentStore, slots: RequestSlots, longest: Duration, context: APIRequestContext
    ) async throws -> AccountExport {
        let tenant = try context.tenant()
        let slot: RequestSlots.Slot
        do {
            // The entry first, in a transaction of its own ahead of the snapshot, which is read-only and
            // holds its connection; its statement checks a personal token not checked yet. The slot is taken
            // after it, so that a forged token cannot hold an account's slot, and a refusal rolls the entry back.
            slot = try await store.withTenant(of: context) { session in
                try await session.recordAccountExport()
                return try slots.take(for: tenant.rawValue)
            }
        } catch RequestSlots.Refusal.full {
            throw Problem.unavailable(
                "Too many exports are running; retry after \(Self.retryAfterSeconds) seconds.",
                retryAfterSeconds: Self.retryAfterSeconds)
        } catch RequestSlots.Refusal.alreadyHeld {
            throw Problem.exportRunning(retryAfterSeconds: Self.retryAfterSeconds)
        }
        let snapshot: AccountSnapshot
        switch context.credential {
        case .user(let userID, _): snapshot = store.accountSnapshot(userID, requestID: context.requestID)
        case .token(let token, _, _): snapshot = store.accountSnapshot(presenting: token, requestID: context.requestID)
        case nil: throw Problem.unauthorized()
        }
        var rows = snapshot.makeAsyncIterator()
        guard case .user(let user) = try await rows.next() else {
            throw StoreError.unavailable(reason: "the export did not start with its user")
        }
        if case .token(_, _, let check) = context.credential { check.pass() }
        return AccountExport(user: user, rows: rows, logger: context.logger, slot: slot, deadline: .now + longest)
    }

    /// Ends an export that ran past its deadline.
    struct ExportTookTooLong: Error {}

    func write(to writer: inout any ResponseBodyWriter) async throws {
        var rows = self.rows
        do {
            var document = AccountExportDocument()
            try await writer.write(try document.start(UserBody(user)))
            while let chunk = try await rows.next() {
                guard ContinuousClock.now < deadline else { throw ExportTookTooLong() }
                var encoded = try document.encode(chunk)
                // In slices: a page can hold megabytes, and a connection whose whole page is pending stays
                // unwritable until it has all drained, however steadily the client reads
                // (`SlowClientDeadlineHandler` would close it); each slice written is progress.
                while let slice = encoded.readSlice(length: min(Self.sliceBytes, encoded.readableBytes)),
                    slice.readableBytes > 0
                {
                    try await writer.write(slice)
                    rows.progressed()
                }
            }
            try await writer.write(document.end())
            try await writer.finish(nil)
        } catch let error as ExportTookTooLong {
            // A client reading slowly enough to stay writable; the document ends truncated.
            logger.warning("export cut off at its time limit")
            throw error
        } catch let error as ChannelError {
            // The client went away, or read nothing for the idle timeout (`SlowClientDeadlineHandler`):
            // nothing failed here.
            logger.info("export ended early: the connection closed", metadata: ["error_type": "\(type(of: error))"])
            throw error
        } catch {
            // The status is sent already: the client sees a truncated document and a reset stream.
            logger.error("export failed", metadata: ["error_type": "\(type(of: error))"])
            throw error
        }
    }
}
