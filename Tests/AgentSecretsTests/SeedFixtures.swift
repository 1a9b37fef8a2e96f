/// Values sealed by the seed's own Node implementation (`encryptApiKey`), for import tests.
///
/// Produced with Node v20 by:
///
///     ENCRYPTION_KEY=8f2e4b6a1c3d5e7f9a0b2c4d6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d2e4f \
///       node Tests/AgentSecretsTests/Fixtures/seed-encrypt.mjs \
///       'sk-proj-Fixture0123456789abcdefghijklmnopqrstuvwxyzAB' \
///       'ghp_FixtureToken1234567890abcdefABCD' 'clé-API-ünïcødé-密钥-🔑-test' ''
///
/// The key and the plaintexts are test values only.
enum SeedFixtures {
    static let encryptionKey = "8f2e4b6a1c3d5e7f9a0b2c4d6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d2e4f"

    struct Fixture: Sendable {
        var plaintext: String
        var encrypted: String
    }

    static let all: [Fixture] = [openAI, gitHub, unicode, empty]

    static let openAI = Fixture(
        plaintext: "sk-proj-Fixture0123456789abcdefghijklmnopqrstuvwxyzAB",
        encrypted:
            "d9ef6081eebb5109bf74f5f93843a555:68c4b81f2c24bdf5e0c13dfb1dfac53b:95c9e07f5b566d14cb87d21a13dc61e7880963ce2a73ca273a103d3f5c365af672e6762ba44e2139eb1b0b6786b339ccdfca6bc725"
    )
    static let gitHub = Fixture(
        plaintext: "ghp_FixtureToken1234567890abcdefABCD",
        encrypted:
            "ae2cae2ca172eea8b02394733553ea18:876711751fc3c670602b2fccda96d49d:68224268789b8755985962ebcafe85f596c52b0f7bbd9a7c7614ec8b4a431335e69dc93c"
    )
    static let unicode = Fixture(
        plaintext: "clé-API-ünïcødé-密钥-🔑-test",
        encrypted:
            "5630c100a9c2f0168fc82de081fc8c9d:42096a9190d6af2fa772cd47d3832749:4ce0e724f52b63c8d1deb98d21a6478fefb6405ff944f7105d5a808124fc385067a5c31024"
    )
    static let empty = Fixture(
        plaintext: "",
        encrypted: "7c85c636567b7284113b4ad5faf9d3c4:f3773ed03ec05870e318e5e609694722:"
    )
}
