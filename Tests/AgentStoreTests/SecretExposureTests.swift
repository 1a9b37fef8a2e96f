import AgentSecrets
import AgentStore
import AgentTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// A plaintext API key never reaches a log line, an error or a listing.
@Suite struct SecretExposureTests {
    @Test func noPlaintextKeyInLogsErrorsOrListings() async throws {
        let db = try await TestDatabase.make()
        let log = CapturedLog()
        let store = AgentStore(client: db.runtime, keyring: db.keyring, logger: log.logger())
        let user = try await db.makeUser()
        let key = "sk-exposure-check-9f8e7d6c5b4a39281706"
        var seen: [String] = []

        let (connection, listed) = try await store.withTenant(user) { session in
            let connection = try await session.createConnection(NewAPIConnection(name: "n", service: "openai", apiKey: key))
            return (connection, try await session.connections(PageRequest(order: .descending)))
        }
        let opened = try await store.withAPIKey(of: user, connectionID: connection.id) { secret in
            "\(secret) \(String(reflecting: secret))"
        }
        _ = try await store.withTenant(user) {
            try await $0.updateConnection(connection.id, APIConnectionChanges(apiKey: key + "x"))
        }
        seen += [String(describing: connection), String(reflecting: listed.items), opened]
        // An invalid update names the field, not the value.
        do {
            _ = try await store.withTenant(user) {
                try await $0.createConnection(NewAPIConnection(name: "", service: "openai", apiKey: key))
            }
        } catch {
            seen.append(String(describing: error))
        }
        let lines = log.lines
        #expect(!lines.isEmpty)
        for text in lines + seen {
            SecretCheck.expectAbsent(key, in: text)
        }
    }
}
