import AgentAPI
import AgentStore
import AgentTestSupport
import Hummingbird
import Logging
import Prometheus

extension TestAPI {
    /// The API over this suite's database with every lease refused, as the server's pool refuses them while
    /// the database is down (`InterruptibleConnections`, which counts the refusals).
    func applicationWithTheDatabaseAway(
        logger: Logger? = nil, companions: [any APICompanion] = []
    ) async throws -> (app: some ApplicationProtocol, database: InterruptibleConnections) {
        let database = InterruptibleConnections(db.runtime)
        database.isAway = true
        let store = AgentStore(client: database, keyring: db.keyring, logger: self.logger)
        let app = try await buildApplication(
            store: store, replies: TestReplies.make(store: store), configuration: configuration, services: [],
            companions: companions, registry: PrometheusCollectorRegistry(), logger: logger ?? self.logger)
        return (app, database)
    }
}
