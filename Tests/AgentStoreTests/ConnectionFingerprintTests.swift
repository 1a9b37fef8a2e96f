import AgentSecrets
import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// A connection's `api_key_fingerprint` is an HMAC under the platform's key: equal keys match within a
/// platform, a guessed key cannot be confirmed from the database, and rotation keeps them comparable.
@Suite struct ConnectionFingerprintTests {
    static let apiKey = "sk-proj-Fingerprint0123456789abcdefghijklmnopqrstuv"

    /// The unkeyed fingerprints a reader of the database could compute from a guess, as PostgreSQL
    /// computes them: bare SHA-256 of the key, and the domain-separated SHA-256 stored before.
    static func unkeyed(_ db: TestDatabase, _ apiKey: String) async throws -> [String] {
        let row = try await db.admin.query(
            """
            SELECT left(encode(sha256(convert_to(\(apiKey), 'UTF8')), 'hex'), 16),
                   left(encode(sha256(convert_to('agent-platform/api-key-fingerprint/v1', 'UTF8') || '\\x00'::bytea
                                      || convert_to(\(apiKey), 'UTF8')), 'hex'), 16)
            """, logger: db.logger
        ).collect().first
        let (plain, domain) = try #require(row).decode((String, String).self)
        return [plain, domain]
    }

    static func storedFingerprints(_ db: TestDatabase) async throws -> [String: String] {
        var result: [String: String] = [:]
        for try await (id, fingerprint) in try await db.admin.query(
            "SELECT id, api_key_fingerprint FROM api_connections", logger: db.logger
        ).decode((String, String).self) {
            result[id] = fingerprint
        }
        return result
    }

    static func create(_ store: AgentStore, _ tenant: UserID, key: String) async throws -> APIConnection {
        try await store.withTenant(tenant) {
            try await $0.createConnection(NewAPIConnection(name: "key", service: "openai", apiKey: key))
        }
    }

    @Test func sameKeyMatchesAcrossTenantsUnderOnePlatformKeyOnly() async throws {
        let db = try await TestDatabase.make()
        let (a, b) = (try await db.makeUser("a"), try await db.makeUser("b"))
        let first = try await Self.create(db.store, a, key: Self.apiKey)
        let second = try await Self.create(db.store, b, key: Self.apiKey)
        let other = try await Self.create(db.store, a, key: Self.apiKey + "x")

        #expect(first.apiKeyFingerprint == second.apiKeyFingerprint)
        #expect(first.apiKeyFingerprint != other.apiKeyFingerprint)
        #expect(first.apiKeyFingerprint == db.keyring.fingerprint(ofAPIKey: Self.apiKey))
        #expect(first.apiKeyFingerprint.hasPrefix("hmac:") && first.apiKeyFingerprint.count == 21)
        // What the database holds is what the store returns, and no unkeyed hash of the key.
        let stored = try await Self.storedFingerprints(db)
        #expect(stored[first.id.rawValue] == first.apiKeyFingerprint)
        let digits = String(first.apiKeyFingerprint.dropFirst("hmac:".count))
        for unkeyed in try await Self.unkeyed(db, Self.apiKey) {
            #expect(digits != unkeyed && !first.apiKeyFingerprint.contains(unkeyed))
        }
        for fingerprint in stored.values {
            #expect(fingerprint != Self.apiKey && !fingerprint.contains(Self.apiKey) && !fingerprint.contains("Fingerprint"))
        }

        // Another platform (another keyring), same key: another fingerprint.
        let elsewhere = try await TestDatabase.make(keyring: try TestKeys.keyring("other", TestKeys.new))
        let there = try await Self.create(elsewhere.store, try await elsewhere.makeUser(), key: Self.apiKey)
        #expect(there.apiKeyFingerprint.hasPrefix("hmac:"))
        #expect(there.apiKeyFingerprint != first.apiKeyFingerprint)
    }

    @Test func aNewKeyGetsANewFingerprintAndOtherChangesKeepIt() async throws {
        let db = try await TestDatabase.make()
        let tenant = try await db.makeUser()
        let created = try await Self.create(db.store, tenant, key: Self.apiKey)
        let renamed = try await db.store.withTenant(tenant) {
            try await $0.updateConnection(created.id, APIConnectionChanges(name: "renamed"))
        }
        #expect(renamed.apiKeyFingerprint == created.apiKeyFingerprint)
        let rekeyed = try await db.store.withTenant(tenant) {
            try await $0.updateConnection(created.id, APIConnectionChanges(apiKey: "sk-proj-Another0123456789abcdefghij"))
        }
        #expect(rekeyed.apiKeyFingerprint == db.keyring.fingerprint(ofAPIKey: "sk-proj-Another0123456789abcdefghij"))
        #expect(rekeyed.apiKeyFingerprint != created.apiKeyFingerprint)
        #expect(try await Self.storedFingerprints(db)[created.id.rawValue] == rekeyed.apiKeyFingerprint)
    }

    @Test func rotationRewritesUnkeyedFingerprints() async throws {
        let db = try await TestDatabase.make()
        let (a, b) = (try await db.makeUser("a"), try await db.makeUser("b"))
        let first = try await Self.create(db.store, a, key: Self.apiKey)
        let second = try await Self.create(db.store, b, key: Self.apiKey)
        // As rows written before keyed fingerprints hold them.
        let legacy = try await Self.unkeyed(db, Self.apiKey)[1]
        try await db.admin.query("UPDATE api_connections SET api_key_fingerprint = \(legacy)", logger: db.logger)

        let rotation = KeyRotation(admin: db.admin, keyring: db.keyring, logger: db.logger)
        #expect(try await rotation.pendingCount() == 2)
        let report = try await rotation.rotate(batchSize: 1)
        #expect(report.failures.isEmpty && report.resealed == 0 && report.fingerprinted == 2)
        let expected = db.keyring.fingerprint(ofAPIKey: Self.apiKey)
        #expect(try await Self.storedFingerprints(db) == [first.id.rawValue: expected, second.id.rawValue: expected])
        #expect(try await rotation.pendingCount() == 0)
        #expect(try await rotation.rotate().fingerprinted == 0)
    }

    @Test func rotationKeepsFingerprintsComparableUnderTheNewKey() async throws {
        let db = try await TestDatabase.make()
        let tenant = try await db.makeUser()
        let old = try TestKeys.keyring("k1", TestKeys.old)
        let rotated = try TestKeys.keyring([("k2", TestKeys.new), ("k1", TestKeys.old)])
        let before = try await Self.create(
            AgentStore(client: db.runtime, keyring: old, logger: db.logger), tenant, key: Self.apiKey)
        #expect(before.apiKeyFingerprint == old.fingerprint(ofAPIKey: Self.apiKey))

        let report = try await KeyRotation(admin: db.admin, keyring: rotated, logger: db.logger).rotate()
        #expect(report.resealed == 1 && report.fingerprinted == 1)
        // A connection made after the switch, with the same key, matches the rotated one.
        let store = AgentStore(client: db.runtime, keyring: rotated, logger: db.logger)
        let after = try await Self.create(store, tenant, key: Self.apiKey)
        let rotatedRow = try await store.withTenant(tenant) { try await $0.connection(before.id) }
        #expect(rotatedRow.apiKeyFingerprint == after.apiKeyFingerprint)
        #expect(rotatedRow.apiKeyFingerprint != before.apiKeyFingerprint)
    }
}
