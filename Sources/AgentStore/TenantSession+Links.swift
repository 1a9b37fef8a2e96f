import Foundation
import PostgresNIO

extension TenantSession {
    /// Links a connection to an agent, so the agent may use its key, and returns the connection. Linking twice
    /// is a no-op. Both must be the tenant's, and are read first: the unique link index spans tenants, so
    /// `ON CONFLICT DO NOTHING` alone would answer another tenant's existing link as done where its absence
    /// is not found, telling one from the other.
    @discardableResult
    public func attachConnection(agentID: AgentID, connectionID: ConnectionID) async throws -> APIConnection {
        _ = try await agent(agentID)
        let connection = try await connection(connectionID)
        let linked = try await affectedRows(
            """
            INSERT INTO agent_api_connections (agent_id, api_connection_id, user_id)
            VALUES (\(agentID), \(connectionID), \(userID.rawValue))
            ON CONFLICT (agent_id, api_connection_id) DO NOTHING
            RETURNING id
            """)
        if linked > 0 {
            try await audit(
                .connectionLinked, targetType: "agent", targetID: agentID.rawValue,
                details: ["connection_id": .string(connectionID.rawValue)])
        }
        return connection
    }

    public func detachConnection(agentID: AgentID, connectionID: ConnectionID) async throws {
        let deleted = try await affectedRows(
            """
            DELETE FROM agent_api_connections
             WHERE agent_id = \(agentID) AND api_connection_id = \(connectionID) AND user_id = \(userID.rawValue)
            RETURNING id
            """)
        guard deleted > 0 else { throw StoreError.notFound(resource: "link") }
        try await audit(
            .connectionUnlinked, targetType: "agent", targetID: agentID.rawValue,
            details: ["connection_id": .string(connectionID.rawValue)])
    }

    /// The connections linked to an agent, newest connection first by default.
    public func connections(ofAgent agentID: AgentID, _ request: PageRequest) async throws -> Page<APIConnection> {
        try request.validate()
        _ = try await agent(agentID)
        return try await linked(
            select: Self.connectionColumns, from: "api_connections", linkColumn: "api_connection_id",
            whereLink: "agent_id", equals: agentID.rawValue, request, Self.connection)
    }

    /// The connections linked to an agent in the order its replies try them (the order `call_subject` gives a
    /// reply's connections: as set by a reorder, then as linked), at most `limit` of them. The listing above
    /// pages by the connections' own age, which need not be that order.
    public func connectionsInCallOrder(ofAgent agentID: AgentID, limit: Int = 100) async throws -> [APIConnection] {
        try await rows(
            """
            SELECT \(unescaped: Self.qualified(Self.connectionColumns, by: "c")) FROM api_connections c
              JOIN agent_api_connections l ON l.api_connection_id = c.id AND l.user_id = c.user_id
             WHERE l.agent_id = \(agentID) AND c.user_id = \(userID.rawValue)
             ORDER BY \(unescaped: Self.callOrder)
             LIMIT \(limit)
            """, Self.connection)
    }

    /// The order an agent's replies try its linked connections in, first tried first.
    public func connectionOrder(ofAgent agentID: AgentID) async throws -> [ConnectionID] {
        try await callSubject(agentID).connections.map(\.id)
    }

    /// Sets the order an agent's replies try its connections in and returns it: `connectionIDs` names every
    /// linked connection once, first tried first. A connection linked later comes after these, in the order
    /// of linking, until the next reorder.
    public func setConnectionOrder(ofAgent agentID: AgentID, to connectionIDs: [ConnectionID]) async throws -> [ConnectionID] {
        _ = try await agent(agentID)
        let current = try await lockedConnectionOrder(ofAgent: agentID)
        try Self.checkOrder(connectionIDs, of: Set(current))
        try await store(connectionIDs, asOrderOf: agentID, replacing: current)
        return connectionIDs
    }

    /// Tries a linked connection one place earlier (the first stays first) and returns the order.
    public func moveConnectionEarlier(_ connectionID: ConnectionID, ofAgent agentID: AgentID) async throws -> [ConnectionID] {
        _ = try await agent(agentID)
        let current = try await lockedConnectionOrder(ofAgent: agentID)
        guard let index = current.firstIndex(of: connectionID) else { throw StoreError.notFound(resource: "link") }
        var order = current
        if index > 0 { order.swapAt(index, index - 1) }
        try await store(order, asOrderOf: agentID, replacing: current)
        return order
    }

    /// The agent's order, its links locked until the transaction ends: a reorder or an unlink of the same
    /// agent waits, so that two moves made at once both count and the set compared is the set written.
    ///
    /// Locked first, then read: a locking `SELECT` that waited sorts by the positions it saw before the wait
    /// (READ COMMITTED returns the rows as now committed, in the order they had), which lost one of two
    /// moves made at once; the read after the lock has a snapshot of its own.
    private func lockedConnectionOrder(ofAgent agentID: AgentID) async throws -> [ConnectionID] {
        try await execute(
            """
            SELECT 1 FROM agent_api_connections
             WHERE agent_id = \(agentID) AND user_id = \(userID.rawValue)
               FOR NO KEY UPDATE
            """)
        return try await rows(
            """
            SELECT l.api_connection_id FROM agent_api_connections l
             WHERE l.agent_id = \(agentID) AND l.user_id = \(userID.rawValue)
             ORDER BY \(unescaped: Self.callOrder)
            """
        ) { try ConnectionID(stored: $0.decode(String.self)) }
    }

    /// Writes `order` as the agent's positions and audits it; an order that is the current one changes and
    /// records nothing.
    private func store(_ order: [ConnectionID], asOrderOf agentID: AgentID, replacing current: [ConnectionID]) async throws {
        guard order != current else { return }
        try await execute(
            """
            UPDATE agent_api_connections l SET call_position = o.ordinal
              FROM unnest(\(order.map(\.rawValue))::text[]) WITH ORDINALITY AS o(connection_id, ordinal)
             WHERE l.agent_id = \(agentID) AND l.user_id = \(userID.rawValue) AND l.api_connection_id = o.connection_id
            """)
        try await audit(
            .connectionsReordered, targetType: "agent", targetID: agentID.rawValue,
            details: ["connection_ids": .array(order.map { .string($0.rawValue) })])
    }

    /// The order of an agent's links (aliased `l`) that its replies try them in: as set by a reorder, then as
    /// linked. `call_subject` (migration 29) sorts by the same, frozen in its SQL.
    private static let callOrder = "l.call_position NULLS LAST, l.created_at, l.id"

    /// A new order names each linked connection once and nothing else.
    static func checkOrder(_ order: [ConnectionID], of linked: Set<ConnectionID>) throws {
        if Set(order).count < order.count {
            throw StoreError.invalid(field: .connectionOrder, reason: "names a connection more than once")
        }
        if !Set(order).isSubset(of: linked) {
            throw StoreError.invalid(field: .connectionOrder, reason: Self.notLinked)
        }
        if order.count < linked.count {
            throw StoreError.invalid(field: .connectionOrder, reason: "must name every linked connection (one is missing)")
        }
    }

    /// Why an id in an order is refused when it names no linked connection.
    public static let notLinked = "names a connection that is not linked to the agent"

    /// The agents a connection is linked to, newest agent first by default.
    public func agents(usingConnection connectionID: ConnectionID, _ request: PageRequest) async throws -> Page<Agent> {
        try request.validate()
        _ = try await connection(connectionID)
        return try await linked(
            select: Self.agentColumns, from: "agents", linkColumn: "agent_id",
            whereLink: "api_connection_id", equals: connectionID.rawValue, request, Self.agent)
    }

    /// Every link of the tenant, oldest first by default: what the account export lists.
    public func links(_ request: PageRequest) async throws -> Page<AgentConnectionLink> {
        try await listing(
            "id, agent_id, api_connection_id, created_at, call_position", from: "agent_api_connections",
            where: [("user_id", userID.rawValue)], request
        ) { row in
            let (id, agentID, connectionID, createdAt, callPosition) = try row.decode((String, String, String, Date, Int?).self)
            return AgentConnectionLink(
                id: id, agentID: AgentID(stored: agentID), connectionID: ConnectionID(stored: connectionID),
                createdAt: createdAt, callPosition: callPosition)
        }
    }

    /// A keyset page of the rows of `table` linked to one row on the other side. A cursor must name a row of
    /// this listing (linked to that row), as every listing's must: another is a 422, not a page.
    private func linked<Item>(
        select columns: String, from table: String, linkColumn: String, whereLink otherColumn: String,
        equals otherID: String, _ request: PageRequest, _ decode: (PostgresRow) throws -> Item
    ) async throws -> Page<Item> {
        let keyset = Keyset(request: request)
        var sql = SQLStatement(
            """
            SELECT \(Self.qualified(columns, by: "t")) FROM \(table) t
              JOIN agent_api_connections l ON l.\(linkColumn) = t.id AND l.user_id = t.user_id
             WHERE l.\(otherColumn) =
            """)
        let tenant = sql.bind(userID.rawValue)
        let other = sql.bind(otherID)
        sql.append(" \(other) AND t.user_id = \(tenant)")
        keyset.appendBound(to: &sql, time: "t.created_at", id: "t.id") {
            """
            SELECT c.created_at, c.id FROM \(table) c
              JOIN agent_api_connections cl ON cl.\(linkColumn) = c.id AND cl.user_id = c.user_id
             WHERE c.id = \($0) AND c.user_id = \(tenant) AND cl.\(otherColumn) = \(other)
            """
        }
        keyset.appendOrder(to: &sql, time: "t.created_at", id: "t.id")
        return try await page(
            sql, keyset: keyset,
            cursorExists: """
                SELECT EXISTS (
                  SELECT 1 FROM \(unescaped: table) c
                    JOIN agent_api_connections cl ON cl.\(unescaped: linkColumn) = c.id AND cl.user_id = c.user_id
                   WHERE c.id = \(keyset.cursorID) AND c.user_id = \(userID.rawValue) AND cl.\(unescaped: otherColumn) = \(otherID))
                """,
            decode)
    }

    /// A list of columns (`id, name`) as columns of the table aliased `alias` (`t.id, t.name`).
    private static func qualified(_ columns: String, by alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }
            .joined(separator: ", ")
    }
}
