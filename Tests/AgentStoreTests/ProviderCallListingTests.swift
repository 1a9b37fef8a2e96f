import AgentStore
import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

/// The call ledger's listing narrowed by agent, connection, status and time (`GET /v1/usage/calls`), each
/// alone and together, paged, and only ever the tenant's own calls.
@Suite struct ProviderCallListingTests {
    /// Calls of two agents, two connections and three statuses, an hour apart from 10:00 on 2026-11-02,
    /// and one of another tenant's at the same hour as each.
    private static func ledger() async throws -> (TestDatabase, UserID, [String]) {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let other = try await db.makeUser()
        let calls: [(agent: String, connection: String?, status: String)] = [
            ("agent-1", "conn-1", "complete"), ("agent-1", "conn-2", "failed"), ("agent-2", "conn-1", "complete"),
            ("agent-2", nil, "failed"), ("agent-1", "conn-1", "cancelled"),
        ]
        var ids: [String] = []
        for (hour, call) in calls.enumerated() {
            for owner in [user, other] {
                let id = try await db.admin.query(
                    """
                    INSERT INTO provider_calls (user_id, agent_id, connection_id, model, attempt, status, started_at)
                    VALUES (\(owner.rawValue), \(call.agent), \(call.connection), 'm', 1, \(call.status),
                            '2026-11-02T10:00:00Z'::timestamptz + \(hour) * interval '1 hour')
                    RETURNING id
                    """, logger: db.logger
                ).collect().first?.decode(String.self)
                if owner == user { ids.append(try #require(id)) }
            }
        }
        return (db, user, ids)
    }

    private static func time(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    private static func listed(
        _ db: TestDatabase, _ user: UserID, _ filter: ProviderCallFilter, limit: Int = 100, after: String? = nil
    ) async throws -> Page<ProviderCallRecord> {
        try await db.store.withTenant(user) {
            try await $0.providerCalls(PageRequest(limit: limit, cursor: after.map { .after($0) }, order: .ascending), filter)
        }
    }

    @Test func eachFilterAloneAndTogetherReadsOnlyTheCallsItNames() async throws {
        let (db, user, ids) = try await Self.ledger()
        #expect(try await Self.listed(db, user, ProviderCallFilter()).items.map(\.id) == ids)
        #expect(try await Self.listed(db, user, ProviderCallFilter(agentID: "agent-2")).items.map(\.id) == [ids[2], ids[3]])
        #expect(
            try await Self.listed(db, user, ProviderCallFilter(connectionID: "conn-1")).items.map(\.id) == [
                ids[0], ids[2], ids[4],
            ])
        #expect(try await Self.listed(db, user, ProviderCallFilter(status: .failed)).items.map(\.id) == [ids[1], ids[3]])
        // [11:00, 13:00): the calls of 11:00 and 12:00, the end excluded.
        let window = try TimeWindow(from: Self.time("2026-11-02T11:00:00Z"), to: Self.time("2026-11-02T13:00:00Z"))
        #expect(try await Self.listed(db, user, ProviderCallFilter(window: window)).items.map(\.id) == [ids[1], ids[2]])
        let both = ProviderCallFilter(
            agentID: "agent-1", status: .complete, window: try TimeWindow(to: Self.time("2026-11-03T00:00:00Z")))
        #expect(try await Self.listed(db, user, both).items.map(\.id) == [ids[0]])
        #expect(try await Self.listed(db, user, ProviderCallFilter(agentID: "agent-3")).items.isEmpty)
        await db.drop()
    }

    @Test func aFilteredListingPagesWithinItsFilter() async throws {
        let (db, user, ids) = try await Self.ledger()
        let filter = ProviderCallFilter(agentID: "agent-1")
        let first = try await Self.listed(db, user, filter, limit: 2)
        #expect(first.items.map(\.id) == [ids[0], ids[1]] && first.hasMore)
        let second = try await Self.listed(db, user, filter, limit: 2, after: ids[1])
        #expect(second.items.map(\.id) == [ids[4]] && !second.hasMore)
        await db.drop()
    }

    @Test func aWindowThatEndsBeforeItStartsIsRefused() throws {
        let day = try Self.time("2026-11-02T00:00:00Z")
        #expect(throws: StoreError.invalid(field: .timeRange, reason: "`from` must be before `to`")) {
            try TimeWindow(from: day, to: day)
        }
        #expect(try TimeWindow(from: day).to == nil)
    }
}
