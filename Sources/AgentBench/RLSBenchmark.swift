import AgentStore
import Foundation
import Logging
import PostgresNIO

/// `agentctl bench rls`: the seed baseline's request mix (list my agents, read one conversation page,
/// list my recent feedback) timed in one run, at the same concurrency over the same data:
///
/// - **rls**: the store's own operations through `withTenant` on the runtime role, every row also checked
///   by the policies; the tenant is set by the first statement (the agents page through
///   `tenant_agents_page`, migration 16);
/// - **rls_set_ahead**: the same with a `SET LOCAL` of the tenant ahead of the first statement, one more
///   round trip, as `withTenant` did before migration 16;
/// - **explicit**: the same operations, same SQL, on the administrator's pool (row-level security does
///   not apply) with nothing set: scoped only by the queries' own `WHERE user_id = ...`.
///
/// The ratio of rls to explicit is what row-level security costs the platform. The same mix is also run as
/// a request with a personal token runs it (`withTenant(presenting:)`: the token's check sets the tenant,
/// so RLS adds no statement), on both pools. For comparison with the seed baseline it also times the
/// baseline's literal SQL both ways (`mix_rls.sql`, policies alone scoping the queries; `mix_ideal.sql`).
/// Every round times every mode in short slices (``slice``), mode after mode, again and again, each pass
/// in the other direction and starting one mode later; ratios are taken per round and their median
/// reported. A shared machine's speed changes within seconds (other guests' bursts): slices of every mode
/// interleaved that finely fall on the same spells, which a mode's seconds in one piece did not (rounds of
/// one run ranged from 0.72 to 1.01).
public struct RLSBenchmark: Sendable {
    public var clients = 4
    public var secondsPerRound = 5.0
    public var rounds = 5
    /// How long each mode runs at a time within a round.
    public var slice = 0.5
    let admin: PostgresClient
    let runtime: PostgresClient
    let dataset: BenchmarkDataset
    let logger: Logger

    public init(admin: PostgresClient, runtime: PostgresClient, dataset: BenchmarkDataset, logger: Logger) {
        self.admin = admin
        self.runtime = runtime
        self.dataset = dataset
        self.logger = logger
    }

    /// Runs the mix and returns the report lines; the last is `ratio=X.XX`, the median over rounds of
    /// rls over explicit (each round times both back to back, so a slow spell of a shared machine falls on
    /// both sides of one ratio rather than on one side of the totals).
    public func run() async throws -> [String] {
        let scoped = AgentStore(client: runtime, keyring: nil, logger: logger)
        let unscoped = AgentStore(client: admin, keyring: nil, logger: logger)
        let tokens = try await issueTokens(scoped)
        let modes: [(name: String, transaction: @Sendable () async throws -> Void)] = [
            ("explicit", { try await storeMix(unscoped, .filtersOnly) }),
            ("rls", { try await storeMix(scoped, .deferred) }),
            ("rls_set_ahead", { try await storeMix(scoped, .setAhead) }),
            ("token_explicit", { try await storeMix(unscoped, presenting: tokens) }),
            ("token_rls", { try await storeMix(scoped, presenting: tokens) }),
            ("seed_sql_explicit", { try await admin.withConnection(seedExplicitMix) }),
            ("seed_sql_rls", { try await runtime.withConnection(seedRLSMix) }),
        ]
        var totals = [String: Throughput]()
        var ratios: [(rls: Double, setAhead: Double, token: Double, deferredGain: Double)] = []
        var roundLines: [String] = []
        for round in 0..<rounds {
            // Each pass starts one mode later than the one before, and every other pass runs backwards, so
            // that no mode always follows the same one and a steady drift weighs the same on every mode.
            var measured = [String: Throughput]()
            let passes = max(1, Int((secondsPerRound / slice).rounded()))
            for pass in 0..<passes {
                let order = modes.indices.map { modes[($0 + round + pass) % modes.count] }
                for mode in pass.isMultiple(of: 2) ? order : order.reversed() {
                    measured[mode.name, default: Throughput()] += try await measure(
                        for: secondsPerRound / Double(passes)
                    ) { _ in try await mode.transaction() }
                }
            }
            let tps = measured.mapValues(\.perSecond)
            let ratio = (
                rls: tps["rls"]! / tps["explicit"]!, setAhead: tps["rls_set_ahead"]! / tps["explicit"]!,
                token: tps["token_rls"]! / tps["token_explicit"]!, deferredGain: tps["rls"]! / tps["rls_set_ahead"]!
            )
            ratios.append(ratio)
            roundLines.append(
                String(
                    format: "round %d: explicit %.0f/s, rls %.0f/s (%.2f), rls_set_ahead %.0f/s (%.2f), token %.2f", round + 1,
                    tps["explicit"]!, tps["rls"]!, ratio.rls, tps["rls_set_ahead"]!, ratio.setAhead, ratio.token))
            totals.merge(measured) { $0 + $1 }
        }
        let tps = totals.mapValues(\.perSecond)
        let pages = try await pageLatencies()
        return [
            "clients=\(clients) seconds=\(Int(secondsPerRound) * rounds) per mode, \(dataset.tenants) tenants, \(dataset.messages) messages"
        ] + roundLines + [
            String(
                format:
                    "seed_sql_explicit_tps=%.0f seed_sql_rls_tps=%.0f seed_sql_ratio=%.2f (the baseline's literal SQL, our schema)",
                tps["seed_sql_explicit"]!, tps["seed_sql_rls"]!, tps["seed_sql_rls"]! / tps["seed_sql_explicit"]!),
            String(
                format: "page1_ms=%.3f page1000_ms=%.3f (p50, 50-message page of a %d-message conversation, through AgentStore)",
                pages.first, pages.thousandth, dataset.longConversationLength),
            String(
                format:
                    "token_explicit_tps=%.0f token_rls_tps=%.0f token_ratio=%.2f (the mix as a request with a personal token runs it: the token's check sets the tenant, RLS off and on; median of rounds)",
                tps["token_explicit"]!, tps["token_rls"]!, median(ratios.map(\.token))),
            String(
                format:
                    "rls_set_ahead_tps=%.0f set_ahead_ratio=%.2f deferred_gain=%.2f (withTenant as before migration 16, SET LOCAL ahead of the first statement; the gain is rls over it; medians of rounds)",
                tps["rls_set_ahead"]!, median(ratios.map(\.setAhead)), median(ratios.map(\.deferredGain))),
            String(format: "explicit_tps=%.0f (store operations, RLS off, scoped by WHERE user_id = ... only)", tps["explicit"]!),
            String(
                format:
                    "rls_tps=%.0f (store operations through withTenant, runtime role, RLS on; the first statement sets the tenant)",
                tps["rls"]!),
            String(format: "ratio=%.2f", median(ratios.map(\.rls))),
        ]
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    // MARK: The mix

    private func randomTenant() -> (user: String, conversation: String) {
        let user = Int.random(in: 1...dataset.tenants)
        let conversation = dataset.conversation(user: user, index: Int.random(in: 0..<dataset.conversationsPerTenant))
        return ("u\(user)", conversation.conversation.rawValue)
    }

    /// How the mix's transaction takes on its tenant.
    private enum TenantMode {
        /// No tenant: the queries' own filters alone (on the administrator's pool).
        case filtersOnly
        /// `withTenant`: the first statement sets the tenant.
        case deferred
        /// A `SET LOCAL` ahead of the first statement, as before migration 16.
        case setAhead
    }

    /// The mix through the store's typed operations, in one transaction taking on its tenant as `mode` says.
    private func storeMix(_ store: AgentStore, _ mode: TenantMode) async throws {
        let user = Int.random(in: 1...dataset.tenants)
        let (agent, conversation) = dataset.conversation(user: user, index: Int.random(in: 0..<dataset.conversationsPerTenant))
        let tenant = UserID(rawValue: "u\(user)")!
        let mix: (TenantSession) async throws -> Void = { try await Self.mix($0, agent: agent, conversation: conversation) }
        switch mode {
        case .filtersOnly: try await store.withQueryFiltersOnly(tenant, mix)
        case .deferred: try await store.withTenant(tenant, mix)
        case .setAhead: try await store.withTenantSetAhead(tenant, mix)
        }
    }

    /// The three reads of the mix, in one transaction of the tenant's.
    private static func mix(_ session: TenantSession, agent: AgentID, conversation: ConversationID) async throws {
        _ = try await session.agents(PageRequest(limit: 20, order: .descending))
        _ = try await session.messages(agentID: agent, conversationID: conversation, PageRequest(limit: 50, order: .ascending))
        _ = try await session.givenFeedback(PageRequest(limit: 20, order: .descending))
    }

    /// The mix in one transaction opened by a tenant's personal token, as the API serves a request: the
    /// token's check, its first statement, sets the tenant. On the administrator's pool the policies do
    /// not apply, so the two pools differ by row-level security alone, statement for statement.
    private func storeMix(_ store: AgentStore, presenting tokens: [PresentedToken]) async throws {
        let token = tokens.randomElement()!
        let user = Int(token.userID.rawValue.dropFirst())!
        let (agent, conversation) = dataset.conversation(user: user, index: Int.random(in: 0..<dataset.conversationsPerTenant))
        try await store.withTenant(presenting: token) { try await Self.mix($0, agent: agent, conversation: conversation) }
    }

    /// A personal token for each tenant (those of earlier runs are removed first).
    private func issueTokens(_ store: AgentStore) async throws -> [PresentedToken] {
        try await admin.query("DELETE FROM api_tokens WHERE name = 'bench-rls'", logger: logger)
        var tokens: [PresentedToken] = []
        for user in 1...dataset.tenants {
            let issued = try await store.withTenant(UserID(rawValue: "u\(user)")!) { try await $0.createToken(name: "bench-rls") }
            guard let token = PresentedToken(issued.value) else { throw BenchmarkFailure("an issued token did not parse") }
            tokens.append(token)
        }
        return tokens
    }

    private func seedRLSMix(_ connection: PostgresConnection) async throws {
        let (user, conversation) = randomTenant()
        try await connection.query("BEGIN", logger: logger)
        try await connection.query("SELECT set_config('app.current_user_id', \(user), true)", logger: logger)
        try await drain(connection, "SELECT id, name FROM agents ORDER BY created_at DESC LIMIT 20")
        try await drain(
            connection, "SELECT * FROM agent_messages WHERE conversation_id = \(conversation) ORDER BY created_at LIMIT 50")
        try await drain(connection, "SELECT * FROM agent_feedback ORDER BY created_at DESC LIMIT 20")
        try await connection.query("COMMIT", logger: logger)
    }

    private func seedExplicitMix(_ connection: PostgresConnection) async throws {
        let (user, conversation) = randomTenant()
        try await connection.query("BEGIN", logger: logger)
        try await drain(connection, "SELECT id, name FROM agents WHERE user_id = \(user) ORDER BY created_at DESC LIMIT 20")
        try await drain(
            connection,
            "SELECT * FROM agent_messages WHERE user_id = \(user) AND conversation_id = \(conversation) ORDER BY created_at LIMIT 50"
        )
        try await drain(connection, "SELECT * FROM agent_feedback WHERE user_id = \(user) ORDER BY created_at DESC LIMIT 20")
        try await connection.query("COMMIT", logger: logger)
    }

    /// Reads every row, as an application would.
    private func drain(_ connection: PostgresConnection, _ query: PostgresQuery) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    /// Runs `transaction` from `clients` concurrent workers for `seconds`.
    private func measure(
        for seconds: Double, _ transaction: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> Throughput {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let start = ContinuousClock.now
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<clients {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < deadline {
                        try await transaction(worker)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        return Throughput(transactions: count, seconds: (ContinuousClock.now - start).seconds)
    }

    // MARK: Page depth

    /// Median latency of the first and the thousandth 50-message page of the long conversation, read
    /// through the store (keyset: both cost the same).
    private func pageLatencies() async throws -> (first: Double, thousandth: Double) {
        let store = AgentStore(client: runtime, keyring: nil, logger: logger)
        let owner = UserID(rawValue: "u1")!
        let cursor = try await admin.query(
            """
            SELECT id FROM agent_messages WHERE conversation_id = \(BenchmarkDataset.longConversationID)
             ORDER BY created_at, id OFFSET \(999 * 50 - 1) LIMIT 1
            """, logger: logger
        ).collect().first!.decode(String.self)
        func median(_ request: PageRequest) async throws -> Double {
            var samples: [Double] = []
            for _ in 0..<200 {
                let start = ContinuousClock.now
                let page = try await store.withTenant(owner) {
                    try await $0.messages(
                        agentID: AgentID(stored: "a1"),
                        conversationID: ConversationID(stored: BenchmarkDataset.longConversationID),
                        request)
                }
                precondition(page.items.count == 50)
                samples.append((ContinuousClock.now - start).seconds * 1000)
            }
            return samples.sorted()[samples.count / 2]
        }
        return (
            try await median(PageRequest(limit: 50, order: .ascending)),
            try await median(PageRequest(limit: 50, cursor: .after(cursor), order: .ascending))
        )
    }
}

/// Transactions over time, summed across rounds.
struct Throughput {
    var transactions = 0
    var seconds = 0.0
    var perSecond: Double { seconds > 0 ? Double(transactions) / seconds : 0 }

    static func + (lhs: Throughput, rhs: Throughput) -> Throughput {
        Throughput(transactions: lhs.transactions + rhs.transactions, seconds: lhs.seconds + rhs.seconds)
    }

    static func += (lhs: inout Throughput, rhs: Throughput) { lhs = lhs + rhs }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
