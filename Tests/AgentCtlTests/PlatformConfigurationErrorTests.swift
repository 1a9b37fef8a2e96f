import AgentAPI
import AgentTestSupport
import Foundation
import Testing

@testable import agentctl

/// Every invalid value stops start-up with its setting named, never with the value itself.
@Suite struct PlatformConfigurationErrorTests {
    typealias Fixtures = ConfigurationFixtures

    struct Case: Sendable, CustomTestStringConvertible {
        let environment: [String: String]
        /// The setting the one problem must name.
        let setting: String
        /// Text that must appear in no error and nowhere in the report.
        let hidden: String
        var testDescription: String { "\(setting) in \(environment.keys.sorted())" }
    }

    static let weakSecrets = [String(repeating: "changeme", count: 5), String(repeating: "a", count: 39) + "b"]

    static let cases: [Case] = [
        Case(environment: ["LOG_LEVEL": "chatty"], setting: "LOG_LEVEL", hidden: "chatty"),
        Case(environment: ["API_PORT": "eighty"], setting: "API_PORT", hidden: "eighty"),
        Case(environment: ["API_PORT": "70000"], setting: "API_PORT", hidden: "70000"),
        Case(environment: ["METRICS_PORT": "70000"], setting: "METRICS_PORT", hidden: "70000"),
        Case(environment: ["METRICS_PORT": "many"], setting: "METRICS_PORT", hidden: "many"),
        // One port cannot take both listeners: the API's (8080 unless set) and the metrics'.
        Case(environment: ["METRICS_PORT": "8080"], setting: "METRICS_PORT", hidden: "<none>"),
        Case(environment: ["API_PORT": "9100", "METRICS_PORT": "9100"], setting: "METRICS_PORT", hidden: "<none>"),
        Case(environment: ["METRICS_HOST": "10.0.0.7"], setting: "METRICS_HOST", hidden: "<none>"),
        Case(environment: ["API_MAX_BODY_BYTES": "0"], setting: "API_MAX_BODY_BYTES", hidden: "=0"),
        Case(environment: ["API_MAX_BODY_BYTES": "lots"], setting: "API_MAX_BODY_BYTES", hidden: "lots"),
        Case(environment: ["API_IDLE_TIMEOUT_SECONDS": "0"], setting: "API_IDLE_TIMEOUT_SECONDS", hidden: "=0"),
        Case(environment: ["API_IDLE_TIMEOUT_SECONDS": "soon"], setting: "API_IDLE_TIMEOUT_SECONDS", hidden: "soon"),
        Case(environment: ["API_TRUSTED_PROXIES": "10.0.0.2,lb.internal"], setting: "API_TRUSTED_PROXIES", hidden: "lb.internal"),
        Case(environment: ["DATABASE_POOL_SIZE": "5000"], setting: "DATABASE_POOL_SIZE", hidden: "5000"),
        Case(environment: ["DATABASE_POOL_SIZE": "many"], setting: "DATABASE_POOL_SIZE", hidden: "many"),
        Case(environment: ["DATABASE_START_WAIT_SECONDS": "3601"], setting: "DATABASE_START_WAIT_SECONDS", hidden: "3601"),
        Case(
            environment: ["DATABASE_URL": "mysql://app:\(Fixtures.databasePassword)@db/agents"],
            setting: "DATABASE_URL", hidden: Fixtures.databasePassword),
        Case(
            environment: ["DATABASE_URL": "postgresql://app:\(Fixtures.databasePassword)@db/"],
            setting: "DATABASE_URL", hidden: Fixtures.databasePassword),
        Case(
            environment: ["ADMIN_DATABASE_URL": "postgresql://:\(Fixtures.databasePassword)@db/agents"],
            setting: "ADMIN_DATABASE_URL", hidden: Fixtures.databasePassword),
        Case(environment: ["POSTGRES_BIN_DIR": "/nonexistent/pg-bin"], setting: "POSTGRES_BIN_DIR", hidden: "pg-bin"),
        Case(
            environment: ["ENCRYPTION_KEY": String(Fixtures.key.dropLast(2))], setting: "ENCRYPTION_KEY",
            hidden: String(Fixtures.key.dropLast(2))),
        Case(
            environment: ["ENCRYPTION_KEYS": "k1:\(Fixtures.key),\(Fixtures.otherKey)"], setting: "ENCRYPTION_KEYS",
            hidden: Fixtures.otherKey),
        Case(environment: ["ENCRYPTION_KEYS": "\(Fixtures.otherKey):k1"], setting: "ENCRYPTION_KEYS", hidden: Fixtures.otherKey),
        Case(
            environment: ["ENCRYPTION_KEY": Fixtures.key, "ENCRYPTION_ACTIVE_KEY_ID": "k9"],
            setting: "ENCRYPTION_ACTIVE_KEY_ID", hidden: Fixtures.key),
        Case(environment: ["JWT_HS256_SECRET": "too-short-secret"], setting: "JWT_HS256_SECRET", hidden: "too-short-secret"),
        // Long enough, and guessable: a repeated word, and one symbol with another at the end.
        Case(environment: ["JWT_HS256_SECRET": weakSecrets[0]], setting: "JWT_HS256_SECRET", hidden: weakSecrets[0]),
        Case(environment: ["JWT_HS256_SECRET": weakSecrets[1]], setting: "JWT_HS256_SECRET", hidden: weakSecrets[1]),
        Case(
            environment: ["JWT_JWKS_FILE": "/nonexistent/jwks.json", "JWT_ISSUER": "https://idp.test", "JWT_AUDIENCE": "a"],
            setting: "JWT_JWKS_FILE", hidden: "<none>"),
        Case(
            environment: ["JWT_HS256_SECRET": Fixtures.jwtSecret, "JWT_AUTO_PROVISION": "maybe"],
            setting: "JWT_AUTO_PROVISION", hidden: Fixtures.jwtSecret),
        Case(environment: ["JWT_ISSUER": "https://idp.example.test"], setting: "JWT_HS256_SECRET", hidden: "<none>"),
        Case(environment: ["PROVIDER_ALLOWED_HOSTS": "127.0.0.1:99999"], setting: "PROVIDER_ALLOWED_HOSTS", hidden: "<none>"),
        Case(environment: ["CHAT_MONTHLY_TOKEN_BUDGET": "-5"], setting: "CHAT_MONTHLY_TOKEN_BUDGET", hidden: "-5"),
        Case(environment: ["CHAT_REQUESTS_PER_MINUTE": "lots"], setting: "CHAT_REQUESTS_PER_MINUTE", hidden: "lots"),
        Case(environment: ["REPLY_TIME_LIMIT_SECONDS": "0"], setting: "REPLY_TIME_LIMIT_SECONDS", hidden: "=0"),
        Case(environment: ["REPLY_SHUTDOWN_GRACE_SECONDS": "-1"], setting: "REPLY_SHUTDOWN_GRACE_SECONDS", hidden: "=-1"),
        Case(environment: ["REPLY_MAX_RUNNING": "0"], setting: "REPLY_MAX_RUNNING", hidden: "=0"),
        // In hours this overflowed when the console's session length was computed: the process crashed.
        Case(
            environment: ["CONSOLE_SESSION_HOURS": "9223372036854775807"], setting: "CONSOLE_SESSION_HOURS",
            hidden: "9223372036854775807"),
        Case(environment: ["TOKEN_MAX_DAYS": "0"], setting: "TOKEN_MAX_DAYS", hidden: "=0"),
        Case(environment: ["TOKEN_DEFAULT_DAYS": "soon"], setting: "TOKEN_DEFAULT_DAYS", hidden: "soon"),
        // A default longer than the maximum (365 unless set) could never be asked for.
        Case(environment: ["TOKEN_DEFAULT_DAYS": "400"], setting: "TOKEN_DEFAULT_DAYS", hidden: "400"),
    ]

    @Test(arguments: cases)
    func anInvalidValueNamesItsSetting(_ testCase: Case) async throws {
        let check = await PlatformConfiguration.check(environment: testCase.environment, currentDirectory: "/srv/agent")
        #expect(check.configuration == nil)
        #expect(check.problems.map(\.setting) == [testCase.setting])
        let error = #expect(throws: PlatformConfigurationError.self) { try check.get() }
        let message = "\(try #require(error))"
        #expect(message.hasPrefix(testCase.setting), "\(message)")
        #expect(!message.contains(testCase.hidden))
        let report = ConfigCommand.Check.report(check)
        #expect(!report.contains(testCase.hidden))
        #expect(report.contains("configuration is invalid"))
    }

    @Test func aWeakJWTSecretIsRefusedForWhatMakesItWeak() async throws {
        let check = await PlatformConfiguration.check(environment: ["JWT_HS256_SECRET": Self.weakSecrets[0]])
        #expect(
            check.problems.map(\.message) == [
                "JWT_HS256_SECRET must not repeat a shorter pattern (use random bytes, e.g. `openssl rand -base64 32`)"
            ])
        let few = await PlatformConfiguration.check(environment: ["JWT_HS256_SECRET": Self.weakSecrets[1]])
        #expect(few.problems.map(\.message).first?.hasPrefix("JWT_HS256_SECRET has too few distinct characters") == true)
    }

    /// Random secrets in every usual encoding pass, down to the weakest (16 bytes as 32 hex digits).
    @Test func randomJWTSecretsAreStrongEnough() {
        // Counted, not expected one by one, so that a failure does not print the secrets.
        var refused = 0
        for _ in 0..<2000 {
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
            let hex = bytes.prefix(16).map { String(format: "%02x", $0) }.joined()
            for secret in [hex, Data(bytes).base64EncodedString(), Fixtures.jwtSecret]
            where JWTConfiguration.secretWeakness(secret) != nil {
                refused += 1
            }
        }
        #expect(refused == 0)
    }

    @Test func aLogLevelIsCheckedLikeAPort() async throws {
        let check = await PlatformConfiguration.check(environment: ["LOG_LEVEL": "chatty", "API_PORT": "eighty"])
        #expect(
            check.problems.map(\.message) == [
                "API_PORT must be an integer",
                "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical",
            ])
    }

    @Test func aJWKSFileThatIsNoKeySetIsNamed() async throws {
        let file = try Fixtures.file(#"{"keys": [{"kty": "nonsense"}]}"#, named: "jwks.json")
        let check = await PlatformConfiguration.check(
            environment: ["JWT_JWKS_FILE": file, "JWT_ISSUER": "https://idp.test", "JWT_AUDIENCE": "agent-platform"])
        #expect(
            check.problems.map(\.message) == [
                "JWT_JWKS_FILE names a file that is not a usable JSON Web Key Set: it has a key without a kid"
            ])
    }

    @Test func aJWKWithoutAnAllowedAlgIsNamedByItsKeyID() async throws {
        let environment = ["JWT_ISSUER": "https://idp.test", "JWT_AUDIENCE": "agent-platform"]
        let good = try Fixtures.keySet()
        let cases = [
            (good.replacingOccurrences(of: #""alg":"ES256","#, with: ""), "has key \"idp-1\" without an alg"),
            (
                good.replacingOccurrences(of: #""alg":"ES256""#, with: #""alg":"none""#),
                "has key \"idp-1\" with alg \"none\", which is not allowed"
            ),
            (
                good.replacingOccurrences(of: #""alg":"ES256""#, with: #""alg":"RS256""#),
                "has key \"idp-1\", which cannot be used with its alg"
            ),
        ]
        for (keySet, reason) in cases {
            let file = try Fixtures.file(keySet, named: "jwks.json")
            let check = await PlatformConfiguration.check(environment: environment.merging(["JWT_JWKS_FILE": file]) { $1 })
            #expect(
                check.problems.map(\.message) == [
                    "JWT_JWKS_FILE names a file that is not a usable JSON Web Key Set: it \(reason)"
                ])
        }
    }

    /// A key set file that is missing is said to be, not to be text of the wrong encoding.
    @Test func aJWKSFileThatIsMissingOrNotTextIsNamedSo() async throws {
        let binary = try Fixtures.folder("jwks").appending(path: "binary.json")
        try Data([0xFF, 0xFE, 0x00, 0x7B]).write(to: binary)
        for (file, reason) in [
            ("/nonexistent/jwks.json", "does not exist or cannot be read"), (binary.path, "is not UTF-8 text"),
        ] {
            let check = await PlatformConfiguration.check(
                environment: ["JWT_JWKS_FILE": file, "JWT_ISSUER": "https://idp.test", "JWT_AUDIENCE": "a"])
            #expect(check.problems.map(\.message) == ["JWT_JWKS_FILE names a file that \(reason)"])
        }
    }

    @Test func aJWKSWithoutIssuerAndAudienceIsAnError() async throws {
        let file = try Fixtures.file(try Fixtures.keySet(), named: "jwks.json")
        let check = await PlatformConfiguration.check(environment: ["JWT_JWKS_FILE": file])
        #expect(
            check.problems.map(\.message) == [
                "JWT_ISSUER is required when JWT_JWKS_FILE is set", "JWT_AUDIENCE is required when JWT_JWKS_FILE is set",
            ])
    }

    // MARK: The file

    @Test func aBadValueInTheFileNamesTheFileKey() async throws {
        let file = try Fixtures.file(#"{"api": {"port": "eighty"}, "encryption": {"key": "0123"}}"#)
        let check = await PlatformConfiguration.check(environment: [:], configFile: file)
        #expect(
            check.problems.map(\.message) == [
                "ENCRYPTION_KEY must be 64 hex characters (32 bytes), found 4 characters (encryption.key in \(file))",
                "API_PORT must be an integer (api.port in \(file))",
            ])
        #expect(!ConfigCommand.Check.report(check).contains("0123"))
    }

    /// A Boolean where the file's setting is a number, or a number where it is a Boolean, is refused as a
    /// string would be (swift-configuration casts one into the other: `"port": false` was a random port,
    /// `"rateLimitPerAddress": false` no limit); a blank string is unset, as an empty variable is.
    @Test func aBooleanForANumberOrANumberForABooleanIsRefused() async throws {
        let file = try Fixtures.file(
            #"{"api": {"port": false, "maxBodyBytes": true, "rateLimitPerAddress": false}, "console": {"enabled": 0}}"#)
        let check = await PlatformConfiguration.check(environment: [:], configFile: file)
        #expect(
            Set(check.problems.map(\.message)) == [
                "API_PORT must be an integer (api.port in \(file))",
                "API_MAX_BODY_BYTES must be an integer (api.maxBodyBytes in \(file))",
                "API_RATE_LIMIT_PER_ADDRESS must be an integer (api.rateLimitPerAddress in \(file))",
                "CONSOLE_ENABLED must be true or false (console.enabled in \(file))",
            ], "\(check.problems.map(\.message))")
        let blank = try Fixtures.file(#"{"api": {"port": " "}, "console": {"enabled": ""}}"#)
        let unset = await PlatformConfiguration.check(environment: [:], configFile: blank)
        #expect(unset.problems.isEmpty, "\(unset.problems.map(\.message))")
        #expect(unset.configuration?.api.port == 8080)
        // The same values as the right kinds are taken.
        let right = try Fixtures.file(#"{"api": {"port": 9000, "rateLimitPerAddress": 0}, "console": {"enabled": false}}"#)
        let taken = await PlatformConfiguration.check(environment: [:], configFile: right)
        #expect(taken.problems.isEmpty && taken.configuration?.api.port == 9000, "\(taken.problems.map(\.message))")
    }

    @Test func aFileWithSecretsMustBeReadableByItsOwnerOnly() async throws {
        let secret = #"{"encryption": {"key": "\#(Fixtures.key)"}}"#
        let shared = try Fixtures.file(secret, mode: 0o644)
        let check = await PlatformConfiguration.check(environment: [:], configFile: shared)
        #expect(
            check.problems.map(\.message) == [
                "--config names \(shared), which holds secrets ('encryption.key') but is readable by group or others; run chmod 600 on it"
            ])
        SecretCheck.expectAbsent(Fixtures.key, in: ConfigCommand.Check.report(check))
        // Without secrets the file may be shared.
        let plain = try Fixtures.file(#"{"api": {"port": 9000}}"#, mode: 0o644)
        #expect(await PlatformConfiguration.check(environment: [:], configFile: plain).problems.isEmpty)
        let own = try Fixtures.file(secret, mode: 0o600)
        #expect(await PlatformConfiguration.check(environment: [:], configFile: own).configuration?.keyring != nil)
    }

    /// A file reached through a link (as Kubernetes mounts a Secret's keys) is judged by the file the link
    /// names: a link's own mode is always 0777, so such a file was refused whatever its mode.
    @Test func aFileBehindALinkIsJudgedByItsTarget() async throws {
        let secret = #"{"encryption": {"key": "\#(Fixtures.key)"}}"#
        for (mode, accepted) in [(0o600, true), (0o644, false)] {
            let target = try Fixtures.file(secret, mode: mode)
            let link = try Fixtures.folder("link").appending(path: "config.json").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            let check = await PlatformConfiguration.check(environment: [:], configFile: link)
            #expect(check.problems.isEmpty == accepted, "mode \(String(mode, radix: 8)): \(check.problems.map(\.message))")
        }
    }

    @Test func aFileThatCannotBeUsedIsNamed() async throws {
        let unknownKey = try Fixtures.file(#"{"api": {"prot": 9000}}"#)
        let notJSON = try Fixtures.file("api.port = 9000")
        let objectList = try Fixtures.file(#"{"api": {"host": [{"name": "a"}]}}"#)
        let cutShort = try Fixtures.file(#"{ "api": { "port": 18480 "#)
        let list = try Fixtures.file(#"[{"api": {"port": 9000}}]"#)
        for (file, problem) in [
            (unknownKey, "whose keys 'api.prot' are not settings"),
            (notJSON, "which is not valid JSON"),
            (cutShort, "which is not valid JSON"),
            (list, "whose top level is not a JSON object"),
            ("/nonexistent/config.json", "which does not exist or cannot be read"),
            (objectList, "which holds a value that is not a string, number or Boolean"),
        ] {
            let check = await PlatformConfiguration.check(environment: ["AGENT_PLATFORM_CONFIG": file])
            #expect(check.problems.map(\.setting) == ["AGENT_PLATFORM_CONFIG"])
            #expect(check.problems.first?.message.contains(problem) == true, "\(check.problems)")
            // The table that follows holds no value of it, and says so.
            #expect(
                ConfigCommand.Check.report(check).hasPrefix(
                    "configuration file: \(file), not read (see the problem below): no value below is from it\n"))
        }
        let readable = try Fixtures.file(#"{"api": {"port": 9000}}"#)
        let read = await PlatformConfiguration.check(environment: [:], configFile: readable)
        #expect(ConfigCommand.Check.report(read).hasPrefix("configuration file: \(readable)\n"))
        let option = await PlatformConfiguration.check(environment: [:], configFile: "/nonexistent/config.json")
        #expect(option.problems.map(\.setting) == ["--config"])
        // JSON's null leaves the setting unset, like an empty variable.
        let null = await PlatformConfiguration.check(environment: [:], configFile: try Fixtures.file(#"{"api": {"host": null}}"#))
        #expect(null.problems.isEmpty && null.configuration?.api.hostname == "127.0.0.1")
    }
}
