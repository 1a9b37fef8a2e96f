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
        // Searched outside the expectations, which would print the key with the text that holds it.
        for (index, text) in renderings.enumerated() {
            let showsTheKey = text.contains(TestKeys.apiKey)
            #expect(!showsTheKey, "rendering \(index)")
            #expect(text.contains("<redacted>"))
        }
    }

    @Test func explicitAccess() {
        let secret = Secret(TestKeys.apiKey)
        #expect(secret.exposedValue == TestKeys.apiKey)
        #expect(secret.withPlaintext { $0.count } == TestKeys.apiKey.count)
    }
}
