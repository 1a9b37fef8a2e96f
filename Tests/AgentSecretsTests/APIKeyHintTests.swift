import Testing

@testable import AgentSecrets

@Suite struct APIKeyHintTests {
    @Test(arguments: [
        ("sk-proj-abcdefghijklmnopqrstuvwxyza1b2", "sk-…a1b2"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_…6789"),
        ("github_pat_11ABCDEFG0123456789_abcdefWXYZ", "github_…WXYZ"),
        ("xoxb-123456789012-abcdefghijkl", "xoxb-…ijkl"),
        ("AIzaSyAbcdefghijklmnopqrstuvwxyz", "…wxyz"),  // no separator within 8 characters
        ("verylongprefix-abcdefghijklmnop", "…mnop"),  // prefix would exceed 8 characters
        ("-leadingdash-abcdefghijkl", "…ijkl"),
        ("sk-abcdefghij", "…ghij"),  // prefix dropped: too little stays hidden
        ("sk-abcdefghijklm", "sk-…jklm"),
        ("abcdefgh12", "…12"),  // short: last two only
        ("abc", "…"),  // very short: nothing
        ("", "…"),
    ])
    func display(apiKey: String, expected: String) {
        let hint = APIKeyHint(apiKey: apiKey)
        #expect(hint.display == expected)
        #expect(hint.description == expected)
    }

    @Test func neverRevealsMostOfTheKey() {
        for length in 0...40 {
            let key = "sk-" + String(repeating: "x", count: length)
            let hint = APIKeyHint(apiKey: key)
            let shown = hint.prefix.count + hint.suffix.count
            #expect(key.count - shown >= min(6, key.count), "length \(key.count)")
        }
    }

    @Test func hintFromSecret() {
        let secret = Secret("ghp_abcdefghijklmnopqrstuvwxyz0123456789")
        #expect(APIKeyHint(secret: secret).display == "ghp_…6789")
    }

    @Test func unicodeKeysCountCharacters() {
        let hint = APIKeyHint(apiKey: "clé-API-ünïcødé-密钥-🔑-test")
        #expect(hint.suffix == "test")
    }
}
