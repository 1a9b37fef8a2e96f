import AgentSecrets
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// One transaction of one tenant: the only way to reach tenant data.
///
/// The typed operations live in `TenantSession+Agents.swift` and its siblings. Every query also names the
/// tenant explicitly where it filters: free, and it helps the planner (and a sharded deployment).
public struct TenantSession: Sendable {
    let connection: PostgresConnection
    public let userID: UserID
    public let requestID: String?
    let keyring: Keyring?
    let logger: Logger
    /// `BEGIN` and the statement that takes on the tenant (unless it is deferred), in flight ahead of the
    /// body's queries; false when the token presented was not valid.
    let opening: EventLoopFuture<Bool>
    /// For a tenant the caller authenticated, read and write: the tenant its first statement sets.
    let deferredTenant: DeferredTenant?
    /// Whether an operator's command acts in the tenant's name (``actingAsOperator()``).
    var operatorActs = false

    // MARK: Transaction

    /// How a transaction takes on its tenant.
    package enum Scope: Sendable {
        /// Set the tenant, already authenticated by the caller.
        case tenant
        /// Check a personal token and set the tenant it names only if it is valid and allows `requiring`,
        /// in one statement.
        case token(hash: Data, requiring: TokenScope = .read)
        /// Set nothing: the queries' own filters alone scope them (benchmarks of row-level security).
        case filtersOnly
    }

    /// What kind of transaction to open.
    package enum Access: Sendable {
        /// `BEGIN`: read committed, read and write; every request's kind.
        case readWrite
        /// `REPEATABLE READ, READ ONLY`: every statement reads the one snapshot taken by the first, as a
        /// long read (the account export) needs; each statement may run at most `statementTimeout`, and
        /// the server ends the session if the transaction idles longer than `idleTimeout` (a client
        /// that stopped reading).
        case snapshot(statementTimeout: Duration, idleTimeout: Duration)
    }

    /// Hands `BEGIN` and the statement that sets the tenant to the connection without waiting for either:
    /// the event loop sends each statement the moment the previous one completes, so the body's first
    /// query follows without a round trip through this task. (PostgresNIO runs one statement per query,
    /// so they cannot share a message.) With `deferredTenant`, only `BEGIN`: the body's first statement
    /// sets the tenant (see `DeferredTenant`). `withTenant` checks the result before committing; until then a
    /// failure can only fail closed: without the transaction or the tenant, row-level security shows and
    /// accepts nothing. The future is false when a token was not valid, and fails with
    /// `StoreError.forbidden` when it was valid without the scope required.
    static func open(
        _ connection: PostgresConnection, userID: UserID, scope: Scope, access: Access = .readWrite,
        deferredTenant: DeferredTenant?, logger: Logger
    ) -> EventLoopFuture<Bool> {
        connection.eventLoop.flatSubmit {
            let begin: EventLoopFuture<Void>
            switch access {
            case .readWrite:
                begin = connection.sendIfOpen("BEGIN", logger: logger).map { _ in }
            case .snapshot(let statementTimeout, let idleTimeout):
                // Sent in this order: `set_config(..., true)` outside the transaction block would end with its statement.
                // READ ONLY follows the tenant's statement: a token's check records its use.
                let snapshot = connection.sendIfOpen("BEGIN ISOLATION LEVEL REPEATABLE READ", logger: logger)
                let limits = connection.sendIfOpen(
                    """
                    SELECT set_config('statement_timeout', \(statementTimeout.settingMilliseconds), true),
                           set_config('idle_in_transaction_session_timeout', \(idleTimeout.settingMilliseconds), true)
                    """, logger: logger)
                begin = snapshot.and(limits).map { _ in }
            }
            let opened: EventLoopFuture<Bool>
            switch scope {
            case .filtersOnly:
                opened = begin.map { _ in true }
            case .tenant where deferredTenant != nil:
                opened = begin.map { _ in true }
            case .tenant:
                opened = begin.and(connection.sendIfOpen(setTenant(userID), logger: logger)).map { _ in true }
            case .token(let hash, let required):
                let accepted = TokenScope.allCases.filter { $0 >= required }.map(\.rawValue)
                let check = connection.sendIfOpen(
                    "SELECT public.authenticate_token(\(userID.rawValue), \(ByteBuffer(bytes: hash)), \(accepted))",
                    logger: logger)
                opened = begin.and(check).flatMapThrowing { _, result in
                    // NULL: not a valid token. Scopes without the one required: valid, but refused.
                    guard let granted = try result.first?.decode([String]?.self) ?? nil else { return false }
                    guard TenantSession.scopes(granted).allow(required) else { throw StoreError.forbidden(needing: required) }
                    return true
                }
            }
            guard case .snapshot = access else { return opened }
            // A transaction may always turn read-only (only the reverse must come before its first query).
            return opened.and(connection.sendIfOpen("SET TRANSACTION READ ONLY", logger: logger)).map { opened, _ in opened }
        }
    }

    /// The statement that sets the tenant for the transaction. An id of a strict alphabet (all ids the
    /// platform generates) is written into `SET LOCAL`, which returns no rows and is not planned, so it
    /// costs the server and the client less than `SELECT set_config(...)`; any other id goes as a bind.
    static func setTenant(_ userID: UserID) -> PostgresQuery {
        let strict = userID.rawValue.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_")
        }
        guard strict else { return "SELECT set_config('app.current_user_id', \(userID.rawValue), true)" }
        return PostgresQuery(unsafeSQL: "SET LOCAL app.current_user_id = '\(userID.rawValue)'")
    }

    func commit() async throws {
        do {
            try await connection.commitIfOpen(logger: logger)
        } catch let error as PSQLError {
            // Deferred constraints surface at commit.
            throw StoreError(error) ?? error
        }
    }

    /// Rolls back; if that fails the connection's state is unknown, so it is closed rather than returned
    /// to the pool with an open transaction and a tenant set.
    func rollback() async {
        await connection.rollbackOrClose(logger: logger)
    }

    // MARK: Queries

    /// Runs a statement whose rows, if any, are not needed.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await rows(query) { _ in () }
    }

    /// Runs a query and decodes every row; database errors about the data become `StoreError`s, including
    /// those that surface while rows are read (as from `INSERT ... RETURNING`). A deferred tenant is set
    /// first, on the same trip through the event loop.
    func rows<Item>(_ query: PostgresQuery, _ decode: (PostgresRow) throws -> Item) async throws -> [Item] {
        let tenant = deferredTenant?.claim() == true ? Self.setTenant(userID) : nil
        return try await collect({ try await connection.sendingIfOpen(query, after: tenant, logger: logger) }, decode)
    }

    /// Runs a prepared statement and decodes every row, mapping errors as `rows(_:_:)` does. Unless the
    /// statement sets the tenant itself (`setsTenant`), a deferred tenant is set by a statement handed to
    /// the event loop ahead of it and not waited for: the loop writes the two in order, and if the first
    /// fails, the transaction is aborted and the second fails too.
    func rows<Statement: PostgresPreparedStatement, Item>(
        prepared statement: Statement, setsTenant: Bool = false, _ decode: (PostgresRow) throws -> Item
    ) async throws -> [Item] where Statement.Row == PostgresRow {
        let tenantSet =
            deferredTenant?.claim() == true && !setsTenant
            ? connection.eventLoop.flatSubmit { [connection, userID, logger] in
                connection.sendIfOpen(Self.setTenant(userID), logger: logger)
            } : nil
        let rows = try await collect({ try await connection.executingIfOpen(statement, logger: logger) }, decode)
        _ = try await tenantSet?.get()
        return rows
    }

    /// Runs `plain`, or `settingTenant` (the same page through a function that sets the tenant first) when
    /// it is the transaction's first statement and the tenant is deferred: one round trip fewer.
    func rows<Plain: PostgresPreparedStatement, Setting: PostgresPreparedStatement, Item>(
        prepared plain: Plain, orSettingTenant settingTenant: Setting, _ decode: (PostgresRow) throws -> Item
    ) async throws -> [Item] where Plain.Row == PostgresRow, Setting.Row == PostgresRow {
        guard deferredTenant?.claim() == true else { return try await rows(prepared: plain, decode) }
        return try await rows(prepared: settingTenant, setsTenant: true, decode)
    }

    private func collect<Rows: Sequence, Item>(
        _ run: () async throws -> Rows, _ decode: (PostgresRow) throws -> Item
    ) async throws -> [Item] where Rows.Element == PostgresRow {
        do {
            return try await run().map(decode)
        } catch let error as PSQLError {
            throw StoreError(error) ?? error
        }
    }

    private func collect<Rows: AsyncSequence, Item>(
        _ run: () async throws -> Rows, _ decode: (PostgresRow) throws -> Item
    ) async throws -> [Item] where Rows.Element == PostgresRow {
        do {
            var items: [Item] = []
            for try await row in try await run() {
                items.append(try decode(row))
            }
            return items
        } catch let error as PSQLError {
            throw StoreError(error) ?? error
        }
    }

    /// Runs a statement with `RETURNING` and counts the rows it touched.
    func affectedRows(_ query: PostgresQuery) async throws -> Int {
        try await rows(query) { _ in 1 }.count
    }

    func row<Item>(_ query: PostgresQuery, _ decode: (PostgresRow) throws -> Item) async throws -> Item? {
        try await rows(query, decode).first
    }

    /// A keyset page of `table` filtered by equalities (each column = its value) and ordered by
    /// `(time, id)`, `time` being `created_at` but where named: the shape of most listings. `window` bounds
    /// `time` to `[from, to)` where given. The cursor must be a row of the same equalities.
    func listing<Item>(
        _ columns: String, from table: String, where filters: [(column: String, value: String)],
        orderedBy time: String = "created_at", within window: TimeWindow = TimeWindow(), _ request: PageRequest,
        _ decode: (PostgresRow) throws -> Item
    ) async throws -> Page<Item> {
        try request.validate()
        let keyset = Keyset(request: request)
        var sql = SQLStatement()
        let conditions = filters.map { "\($0.column) = \(sql.bind($0.value))" }.joined(separator: " AND ")
        sql.append("SELECT \(columns) FROM \(table) WHERE \(conditions)")
        if let from = window.from { sql.append(" AND \(time) >= \(sql.bind(from))") }
        if let to = window.to { sql.append(" AND \(time) < \(sql.bind(to))") }
        keyset.appendBound(to: &sql, time: time, id: "id") {
            "SELECT \(time), id FROM \(table) WHERE id = \($0) AND \(conditions)"
        }
        keyset.appendOrder(to: &sql, time: time, id: "id")
        var exists = SQLStatement()
        let existing = filters.map { "\($0.column) = \(exists.bind($0.value))" }.joined(separator: " AND ")
        exists.append("SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = \(exists.bind(keyset.cursorID)) AND \(existing))")
        return try await page(sql, keyset: keyset, cursorExists: exists.query, decode)
    }

    /// Reads one keyset page; an unknown cursor is reported rather than read as the end of the listing
    /// (as `unknownCursor` where the listing names its cursor otherwise than `after` and `before`).
    /// `fetchedColumn` names a column that counts the rows the statement saw before it cut the page short
    /// (a byte bound): then there is more past the rows read.
    func page<Item>(
        _ sql: SQLStatement, keyset: Keyset, cursorExists: PostgresQuery, cutShortBy fetchedColumn: String? = nil,
        unknownCursor: StoreError? = nil, _ decode: (PostgresRow) throws -> Item
    ) async throws -> Page<Item> {
        let rows = try await rows(sql.query) { row in
            (try decode(row), try fetchedColumn.map { try row.makeRandomAccess()[$0].decode(Int.self) })
        }
        if rows.isEmpty, keyset.cursorID != nil,
            try await row(cursorExists, { try $0.decode(Bool.self) }) != true
        {
            throw unknownCursor
                ?? StoreError.invalid(
                    field: keyset.readsBackwards ? .cursorBefore : .cursorAfter, reason: "names no item of this listing")
        }
        let fetched = rows.first?.1 ?? 0
        return keyset.page(from: rows.map(\.0), cutShort: rows.count < fetched)
    }
}
