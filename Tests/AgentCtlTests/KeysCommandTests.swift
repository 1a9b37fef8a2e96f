import AgentSecrets
import AgentStore
import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

/// `agentctl keys ...` as an operator runs it: the built binary, against a test database.
@Suite struct KeysCommandTests {
    @Test func verifyAndRotateReportRowsNotKeys() async throws {
        let db = try await TestDatabase.make()
        let tenant = try await db.makeUser()
        // Two rows under k1, which the ring holds, and a last one under k0, which it lacks.
        let keyrings = try [
            TestKeys.keyring("k1", TestKeys.old), TestKeys.keyring("k1", TestKeys.old), TestKeys.keyring("k0", TestKeys.lost),
        ]
        var plaintexts: [String] = []
        var connectionIDs: [String] = []
        for (index, keyring) in keyrings.enumerated() {
            let apiKey = "sk-cli-\(index)-\(UUID().uuidString)"
            plaintexts.append(apiKey)
            let store = AgentStore(client: db.runtime, keyring: keyring, logger: db.logger)
            connectionIDs.append(
                try await store.withTenant(tenant) {
                    try await $0.createConnection(NewAPIConnection(name: "c\(index)", service: "openai", apiKey: apiKey)).id
                        .rawValue
                })
        }
        let lostConnectionID = try #require(connectionIDs.last)
        let environment = [
            "DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing(),
            "ENCRYPTION_KEYS": "k2:\(TestKeys.new),k1:\(TestKeys.old)",
        ]

        let verify = try await AgentCtlRun(["keys", "verify"], environment: environment)
        #expect(verify.status == 2)
        #expect(verify.output.contains("failed tenant=\(tenant.rawValue) connection=\(lostConnectionID): "))
        #expect(verify.output.contains("verified 3 connections, 1 failed"))

        let rotate = try await AgentCtlRun(["keys", "rotate", "--batch-size", "1"], environment: environment)
        #expect(rotate.status == 2)
        #expect(rotate.errors.contains("progress: "), "plain progress lines when standard error is not a terminal")
        #expect(rotate.output.contains("re-sealed 2 of 3 connections under key k2"))
        #expect(rotate.output.contains("recomputed the fingerprint of 2 connections"))
        #expect(
            rotate.output.contains("0 connections left in the seed format (iv:tag:ct); ACCEPT_SEED_FORMAT=false loses nothing"))
        // What each key seals, so that k0 is not retired; the row left is the one that failed, nothing more.
        #expect(rotate.output.contains("sealed under: k2 (2 connections), k0 (1 connection)"), "\(rotate.output)")
        #expect(!rotate.output.contains("written meanwhile"))

        let stored = try await db.admin.query("SELECT api_key FROM api_connections", logger: db.logger).collect()
            .map { try $0.decode(String.self) }
        #expect(stored.filter { $0.hasPrefix("ak1.k2.") }.count == 2)

        for run in [verify, rotate] {
            for plaintext in plaintexts {
                #expect(!run.output.contains(plaintext) && !run.errors.contains(plaintext))
            }
            SecretCheck.expectAbsent(TestKeys.old, in: run.output)
            SecretCheck.expectAbsent(TestKeys.new, in: run.errors)
        }
    }

    @Test func anExternalDatabaseWithoutAKeyStopsWithTheVariableNamed() async throws {
        let environment = [
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "ADMIN_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
        ]
        let run = try await AgentCtlRun(["keys", "verify"], environment: environment)
        #expect(run.status != 0)
        #expect(run.errors.contains("ENCRYPTION_KEY"))
    }

    @Test func aBadKeyStopsWithTheVariableNamedAndNotTheValue() async throws {
        let badKey = String(repeating: "zz", count: 32)
        let environment = ["DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "ENCRYPTION_KEYS": "k1:\(badKey)"]
        let run = try await AgentCtlRun(["keys", "verify"], environment: environment)
        #expect(run.status != 0)
        #expect(run.errors.contains("ENCRYPTION_KEYS"))
        SecretCheck.expectAbsent(badKey, in: run.errors)
        SecretCheck.expectAbsent(badKey, in: run.output)
    }

    @Test func generatePrintsAFreshKey() async throws {
        let first = try await AgentCtlRun(["keys", "generate"], environment: [:])
        let second = try await AgentCtlRun(["keys", "generate"], environment: [:])
        #expect(first.status == 0)
        // Keys are compared outside the expectations, which would print them.
        let key = first.output.trimmingCharacters(in: .newlines)
        let isAKey = key.count == 64 && key.allSatisfy(\.isHexDigit)
        #expect(isAKey)
        #expect(try Keyring(keys: [(id: "k", hex: key)]).keyIDs == ["k"])
        let differs = key != second.output.trimmingCharacters(in: .newlines)
        #expect(differs)
    }
}
