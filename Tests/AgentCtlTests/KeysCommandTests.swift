import AgentSecrets
import AgentStore
import AgentTestSupport
import Foundation
import Logging
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

    /// The local database's key file lost, where API keys were sealed with it: every command that needs the
    /// key refuses to make another (one that would open none of them, under the same id), saying what to do,
    /// and makes none; with no API key stored, a new one is made as on first use.
    @Test func aLostLocalKeyIsNotReplacedWhileKeysAreSealedWithIt() async throws {
        let home = try AgentCtlRun.freshHome("key")
        let environment = ["AGENT_PLATFORM_HOME": home.path]
        var failure: (any Error)?
        do {
            try await Self.loseTheLocalKey(home: home, environment: environment)
        } catch {
            failure = error
        }
        _ = try? await AgentCtlRun(["db", "stop"], environment: environment)
        try? FileManager.default.removeItem(at: home)
        if let failure { throw failure }
    }

    private static func loseTheLocalKey(home: URL, environment: [String: String]) async throws {
        let started = try await AgentCtlRun(["db", "start"], environment: environment)
        #expect(started.status == 0, "\(started.errors)")
        func url(_ name: String) throws -> DatabaseURL {
            let line = try #require(started.output.split(separator: "\n").first { $0.hasPrefix("\(name)=") })
            return try DatabaseURL(String(line.dropFirst(name.count + 1)))
        }
        let keyFile = home.appending(path: ".local/encryption.key")
        let first = try await AgentCtlRun(["keys", "verify"], environment: environment)
        #expect(first.status == 0 && first.errors.contains("generated a local encryption key"), "\(first.errors)")
        // Without an API key stored, a lost key file loses nothing: another is made.
        try FileManager.default.removeItem(at: keyFile)
        #expect(try await AgentCtlRun(["keys", "verify"], environment: environment).status == 0)

        let (keyring, _) = try Keyring.loadOrCreateLocalKey(at: keyFile)
        let logger = Logger(label: "test")
        let runtime = PostgresClient(configuration: try url("DATABASE_URL").clientConfiguration(maxConnections: 2))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await runtime.run() }
            let store = AgentStore(client: runtime, keyring: keyring, logger: logger)
            let user = try await store.createUser(NewUser(email: "key-\(UUID().uuidString.prefix(8))@example.test")).id
            _ = try await store.withTenant(user) {
                try await $0.createConnection(NewAPIConnection(name: "c", service: "openai", apiKey: "sk-local-0123456789"))
            }
            group.cancelAll()
        }
        try FileManager.default.removeItem(at: keyFile)
        for command in [["keys", "verify"], ["serve", "--port", "0"]] {
            let refused = try await AgentCtlRun(command, environment: environment)
            #expect(refused.status != 0, "\(command)")
            #expect(refused.errors.contains("encryption.key is missing, and the local database holds 1 API key sealed with it"))
            #expect(!FileManager.default.fileExists(atPath: keyFile.path), "no key made in its place")
        }
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
