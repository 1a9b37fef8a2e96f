import AgentAPI
import AgentStore
import AgentTestSupport
import Hummingbird
import Logging
import Prometheus

extension TestAPI {
    /// The API over this suite's database with every lease refused, as the server's pool refuses them while
    /// the database is down (`InterruptibleConnections`, which counts the refusals).
    ///
    /// Its 503s are logged once an hour, with their count: a test that counts lines counts them per outage,
    /// however slowly a loaded machine sends its requests (a CI rehearsal took 21 s for 21 requests, past the
    /// 10 s of `serve`, and logged two).
    func applicationWithTheDatabaseAway(
        logger: Logger? = nil, companions: [any APICompanion] = []
    ) async throws -> (app: some ApplicationProtocol, database: InterruptibleConnections) {
        let database = InterruptibleConnections(db.runtime)
        database.isAway = true
        let store = AgentStore(client: database, keyring: db.keyring, logger: self.logger)
        var configuration = configuration
        configuration.outageLogInterval = .seconds(3600)
        let app = try await buildApplication(
            store: store, replies: TestReplies.make(store: store), configuration: configuration, services: [],
            companions: companions, registry: PrometheusCollectorRegistry(), logger: logger ?? self.logger)
        return (app, database)
    }
}
