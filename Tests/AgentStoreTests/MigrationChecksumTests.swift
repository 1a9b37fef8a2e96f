import AgentStore
import Foundation
import Testing

/// Shipped migrations never change: every database that applied one compares its checksum on `migrate`.
/// A failure here means a shipped migration was edited; restore it and add a new migration instead.
@Suite struct MigrationChecksumTests {
    /// The checksums recorded by databases that applied each migration, by version.
    static let shipped: [Int: String] = [
        1: "7965da9b30bd5533cb99f03599c73611d96f0a7133e328b69c3bf326f68f0c57",
        2: "724f8f49a6afc1fe21adc720bcf4168e5927d2ab143f4d1d31a1a0e44eb0db23",
        3: "c91dc7ac5823ff279cd67cddca3ac4c21ceb7f81514969efb0ad165c06412c2c",
        4: "4f909065f55576f2091db7296fa21a5a3271e040dbbdafca4c136d762d4c10d9",
        5: "0e3cc42f88bddcf0981741ca0370f5df6a2906656de8832123f1d96bb5635a1c",
        6: "ea6675ee30b05bf0d060684da9eabf1a2e67cddb4a947b4366822a16e8ca1c37",
        7: "516b543664b050cf03ca7543096dfd12077d27667ab9f29a85f0424b5f6242ef",
        8: "6a2d99fe5adee7a718d8748f6cec673c1ed68baf8d1a3f112f2531b4cc5af5f3",
        9: "86bdcdde41751938df7e94f91b47d5bbd6e1ff841c9fb8eb11db768b6b36d3e1",
        10: "32351f1f28fe417f48e92b9b2a07d5dded871b3d0e249e1ee0ce00e86c4c0ab0",
        11: "c99f74450c43245937ca7634df87cbb80831f90a65173f02b05142b22f4e4ac1",
        12: "3d7546fed5523db538ea9ecc7cae80a03ed5e460f7752b0fec96a0f5f5b99b11",
        13: "ac334aac8b9621e79117706bd825502f58a1181e9f61518ea7e769a5c8afd681",
        14: "80befd3644896d5970b3998c091b032fac266b9780fe662b1c188e28693c58d4",
        15: "1fc9b573accc4bc24febc8be64b8c664f0f61b6edd09ae08419be52d82fe28de",
        16: "b42b9c34612f8150ab42a0b96c6c59a5c7aed9f573b6912651305bd6a56db914",
        17: "6cedffa768d64ca4997d54cd4f6c8bd164e81dc003cadad6fd677f51d75a9254",
        18: "71776c275a1b32805c167e5e15f00adf93f2b3f2171152c5217510fbc6288a07",
        19: "1278fafaf04fbff36a79852b99fc0ae1c3224eb67dc4da7151838880bd6ea5bc",
        20: "8d8c8f6d8ef382069d8c46626ddf5b80f5ca8ccd61da27ab63b6c4b27f7bdfa6",
        21: "7507c25cf17bc559d13102cf9795c38822b43d0db00cffe768c8b81b033f0f9a",
        22: "68e43052913974b62a9feca5e94b1d813067403fad5f89e65973426b66bb46d4",
        23: "b18506795794dcbaa8aa4dcbf1a5c81f93886a4c00a3f75846e2b01b25257602",
        24: "a5ae2804e5197bb94ff6caa377f421404d6fe34187238adb16f5fcbeb2b1661c",
        25: "b1d09aeb0755868b510fa86472bd8ed7871b0ba2d8f162fafb0aae33ecd6d20a",
        26: "8c9071dd376fee95244718ddb27858a854c949bd319cb46fac99115ae1710ffa",
        27: "bb900b8f7b590e841dc395226e489ec1bcd6bd7602f5ddcadd966331d165602b",
        28: "1701b0db6996041c56d70b8d2c126a2ca9cfae50b4b8601b80d2df8d7cf746e9",
        29: "aeb7557b5f5e1d76dbe147a4aa4ed335ec87941df6f7578e162797cfd1db690e",
        30: "3a42e5baa60db2fe2eace899b643bb8b12178a2ae6d21c6d5498f243ce9dd58b",
        31: "b50c9ed61fe0d950a515b90d76764f18c17aa5b245247db55d5b65bd026afedc",
    ]

    @Test(arguments: Migration.all.map(\.version))
    func shippedMigrationIsUnchanged(version: Int) throws {
        let migration = try #require(Migration.all.first { $0.version == version })
        let pinned = try #require(
            Self.shipped[version], "pin the checksum of migration \(version) once it ships: \(migration.checksum)")
        #expect(migration.checksum == pinned)
    }

    /// Migration 24 rewrites migration 19's `start_provider_call` by replacing text: each replacement found
    /// what it replaces (a change to the source would otherwise leave the function as it was, unnoticed).
    @Test func migration24BoundsTheMinuteByAVariable() throws {
        let function = try #require(Migration.all.first { $0.version == 24 }?.up.last)
        #expect(function.contains("  since timestamptz;\n"))
        #expect(function.contains("since := clock_timestamp() - interval '1 minute';"))
        #expect(function.components(separatedBy: "c.started_at > since").count == 3)
        #expect(!function.contains("c.started_at > clock_timestamp()"))
    }

    /// Migration 22's down takes migration 6's function and migration 4's grants by position: they are still
    /// what it names.
    @Test func migration22RestoresTheTokenCheckItDropped() throws {
        let down = try #require(Migration.all.first { $0.version == 22 }).down
        #expect(down.count == 3)
        #expect(down.first?.contains("FUNCTION public.authenticate_token(claimed_user_id text, presented_hash bytea)") == true)
        #expect(down.first?.contains("t.expires_at") == true)
        #expect(down.dropFirst().allSatisfy { $0.contains("ON FUNCTION public.authenticate_token(text, bytea)") })
    }

    @Test func everyShippedMigrationIsStillThere() {
        #expect(Set(Self.shipped.keys).isSubset(of: Migration.all.map(\.version)))
    }
}
