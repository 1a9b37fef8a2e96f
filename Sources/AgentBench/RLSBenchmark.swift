import AgentStore
import Foundation
import Logging
import PostgresNIO

/// `agentctl bench rls`: the seed baseline's request mix (list my agents, read one conversation page,
/// list my recent feedback) timed two ways in one run, at the same concurrency over the same data:
///
/// - **rls**: the runtime role, tenant set with `set_config(..., true)`, queries with no tenant filter,
///   so only the policies scope them (the seed baseline's `mix_rls.sql`);
/// - **explicit**: the administrator (row-level security does not apply), the same queries scoped by
///   hand with `WHERE user_id = ...` (`mix_ideal.sql`).
///
/// Rounds alternate between the two so that drift on a shared machine affects both alike.
public struct RLSBenchmark: Sendable {
    public var clients = 4
    public var secondsPerRound = 5.0
    public var rounds = 3
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

    /// Runs the mix and returns the report lines; the last is `ratio=X.XX` (rls over explicit).
    public func run() async throws -> [String] {
        var rls = Throughput()
        var explicit = Throughput()
        for _ in 0..<rounds {
            explicit += try await measure(client: admin, transaction: explicitMix)
            rls += try await measure(client: runtime, transaction: rlsMix)
        }
        let pages = try await pageLatencies()
        return [
            "clients=\(clients) seconds=\(Int(secondsPerRound) * rounds) per mode",
            String(format: "explicit_tps=%.0f (RLS off, WHERE user_id = ...)", explicit.perSecond),
            String(format: "rls_tps=%.0f (runtime role, tenant from set_config only)", rls.perSecond),
            String(format: "page1_ms=%.3f page1000_ms=%.3f (p50 of a 50-message page through AgentStore, %d messages)",
                   pages.first, pages.thousandth, dataset.longConversationLength),
            String(format: "ratio=%.2f", rls.perSecond / explicit.perSecond),
        ]
    }

    // MARK: The mix

    private func randomTenant() -> (user: String, conversation: String) {
        let user = Int.random(in: 1...dataset.tenants)
        let conversation = dataset.conversation(user: user, index: Int.random(in: 0..<dataset.conversationsPerTenant))
        return ("u\(user)", conversation.conversation)
    }

    private func rlsMix(_ connection: PostgresConnection) async throws {
        let (user, conversation) = randomTenant()
        try await connection.query("BEGIN", logger: logger)
        try await connection.query("SELECT set_config('app.current_user_id', \(user), true)", logger: logger)
        try await drain(connection, "SELECT id, name FROM agents ORDER BY created_at DESC LIMIT 20")
        try await drain(connection, "SELECT * FROM agent_messages WHERE conversation_id = \(conversation) ORDER BY created_at LIMIT 50")
        try await drain(connection, "SELECT * FROM agent_feedback ORDER BY created_at DESC LIMIT 20")
        try await connection.query("COMMIT", logger: logger)
    }

    private func explicitMix(_ connection: PostgresConnection) async throws {
        let (user, conversation) = randomTenant()
        try await connection.query("BEGIN", logger: logger)
        try await drain(connection, "SELECT id, name FROM agents WHERE user_id = \(user) ORDER BY created_at DESC LIMIT 20")
        try await drain(connection, "SELECT * FROM agent_messages WHERE user_id = \(user) AND conversation_id = \(conversation) ORDER BY created_at LIMIT 50")
        try await drain(connection, "SELECT * FROM agent_feedback WHERE user_id = \(user) ORDER BY created_at DESC LIMIT 20")
        try await connection.query("COMMIT", logger: logger)
    }

    /// Reads every row, as an application would.
    private func drain(_ connection: PostgresConnection, _ query: PostgresQuery) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    private func measure(
        client: PostgresClient, transaction: @escaping @Sendable (PostgresConnection) async throws -> Void
    ) async throws -> Throughput {
        let deadline = ContinuousClock.now + .seconds(secondsPerRound)
        let start = ContinuousClock.now
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    try await client.withConnection { connection in
                        var done = 0
                        while ContinuousClock.now < deadline {
                            try await transaction(connection)
                            done += 1
                        }
                        return done
                    }
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
                    try await $0.messages(agentID: "a1", conversationID: BenchmarkDataset.longConversationID, request)
                }
                precondition(page.items.count == 50)
                samples.append((ContinuousClock.now - start).seconds * 1000)
            }
            return samples.sorted()[samples.count / 2]
        }
        return (
            try await median(PageRequest(limit: 50, order: .ascending)),
            try await median(PageRequest(limit: 50, cursor: .after(cursor), order: .ascending)))
    }
}

/// Transactions over time, summed across rounds.
struct Throughput {
    var transactions = 0
    var seconds = 0.0
    var perSecond: Double { seconds > 0 ? Double(transactions) / seconds : 0 }

    static func += (lhs: inout Throughput, rhs: Throughput) {
        lhs.transactions += rhs.transactions
        lhs.seconds += rhs.seconds
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
