import Testing

@testable import AgentSecrets

@Suite struct SecretTests {
    @Test func printsRedacted() {
        let secret = Secret(TestKeys.apiKey)
        var dumped = ""
        dump(secret, to: &dumped)
        let renderings = [
            secret.description, secret.debugDescription, "\(secret)", String(describing: secret),
            String(reflecting: secret), dumped, "\([secret])", "\(Optional(secret) as Any)",
        ]
        for text in renderings {
            #expect(!text.contains(TestKeys.apiKey), "\(text)")
            #expect(text.contains("<redacted>"))
        }
    }

    @Test func explicitAccess() {
        let secret = Secret(TestKeys.apiKey)
        #expect(secret.exposedValue == TestKeys.apiKey)
        #expect(secret.withPlaintext { $0.count } == TestKeys.apiKey.count)
    }
}
