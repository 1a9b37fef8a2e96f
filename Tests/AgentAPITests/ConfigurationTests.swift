import AgentAPI
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsWithoutVariables() throws {
        let configuration = try APIConfiguration.fromEnvironment([:])
        #expect(configuration.port == 8080)
        #expect(configuration.maximumBodySize == 1024 * 1024)
        #expect(configuration.jwt == nil)
    }

    @Test func readsJWTSettings() throws {
        let configuration = try APIConfiguration.fromEnvironment([
            "JWT_HS256_SECRET": String(repeating: "s", count: 40), "JWT_ISSUER": "iss", "JWT_AUDIENCE": "aud",
            "JWT_AUTO_PROVISION": "true", "API_PORT": "9000",
        ])
        #expect(configuration.port == 9000)
        #expect(configuration.jwt?.audience == "aud")
        #expect(configuration.jwt?.autoProvision == true)
        #expect(!"\(configuration)".contains("sss"))
    }

    @Test func errorsNameTheVariableAndNeverTheSecret() {
        let secret = "short-secret"
        #expect(throws: APIConfigurationError.self) { try APIConfiguration.fromEnvironment(["JWT_HS256_SECRET": secret]) }
        do {
            _ = try APIConfiguration.fromEnvironment(["JWT_HS256_SECRET": secret])
        } catch {
            #expect("\(error)".contains("JWT_HS256_SECRET"))
            #expect(!"\(error)".contains(secret))
        }
        #expect(throws: APIConfigurationError(variable: "API_PORT", reason: "must be an integer")) {
            try APIConfiguration.fromEnvironment(["API_PORT": "eighty"])
        }
        #expect(throws: APIConfigurationError.self) { try APIConfiguration.fromEnvironment(["JWT_JWKS_FILE": "/nonexistent/jwks.json"]) }
        #expect(throws: APIConfigurationError.self) { try APIConfiguration.fromEnvironment(["JWT_AUTO_PROVISION": "maybe"]) }
    }
}
