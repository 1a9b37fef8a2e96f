import AgentTestSupport
import Foundation
import Testing

@testable import agentctl

/// `agentctl config check`, and start-up with an invalid setting, as an operator runs them: the built binary.
@Suite struct ConfigCommandTests {
    typealias Fixtures = ConfigurationFixtures

    /// A fresh AGENT_PLATFORM_HOME, to show that nothing is created in it.
    static func home() throws -> URL {
        try Fixtures.folder("home")
    }

    @Test func printsEachSettingItsValueAndSourceWithSecretsRedacted() async throws {
        let home = try Self.home()
        let file = try Fixtures.file(#"{"api": {"host": "0.0.0.0"}, "jwt": {"hs256": {"secret": "\#(Fixtures.jwtSecret)"}}}"#)
        let run = try await AgentCtlRun(
            ["config", "check", "--config", file],
            environment: [
                "AGENT_PLATFORM_HOME": home.path, "API_PORT": "9000", "DATABASE_URL": Fixtures.databaseURL,
                "ENCRYPTION_KEY": Fixtures.key,
            ])
        #expect(run.status == 0, "\(run.errors)")
        let lines = run.output.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        #expect(lines.contains(["configuration", "file:", file]))
        #expect(lines.contains(["API_PORT", "9000", "environment"]))
        #expect(lines.contains(["API_HOST", "0.0.0.0", "file"]))
        #expect(lines.contains(["API_MAX_BODY_BYTES", "1048576", "default"]))
        #expect(lines.contains(["API_IDLE_TIMEOUT_SECONDS", "30", "default"]))
        #expect(lines.contains(["AGENT_PLATFORM_HOME", home.path, "environment"]))
        #expect(lines.contains(["DATABASE_URL", "postgresql://app:***@db.example.test:5433/agents", "environment"]))
        #expect(lines.contains(["ENCRYPTION_KEY", "<redacted>", "environment"]))
        #expect(lines.contains(["JWT_HS256_SECRET", "<redacted>", "file"]))
        #expect(run.output.contains("configuration is valid"))
        for secret in [Fixtures.jwtSecret, Fixtures.key, Fixtures.databasePassword] {
            SecretCheck.expectAbsent(secret, in: run.output)
            SecretCheck.expectAbsent(secret, in: run.errors)
        }
        #expect(!FileManager.default.fileExists(atPath: home.appending(path: ".local").path), "no database was started")
    }

    /// An external database without a key is what serve refuses: `config check` does not vouch for it
    /// (exit 2, naming the setting), though commands that open no key run with it.
    @Test func anExternalDatabaseWithoutAKeyFailsTheCheck() async throws {
        let home = try Self.home()
        let environment = ["AGENT_PLATFORM_HOME": home.path, "DATABASE_URL": Fixtures.databaseURL]
        let run = try await AgentCtlRun(["config", "check"], environment: environment)
        #expect(run.status == 2)
        #expect(run.errors.contains("ENCRYPTION_KEY or ENCRYPTION_KEYS must be set with DATABASE_URL"), "\(run.errors)")
        #expect(run.output.contains("configuration is invalid: 1 problem(s)"))
        let keyed = try await AgentCtlRun(
            ["config", "check"], environment: environment.merging(["ENCRYPTION_KEY": Fixtures.key]) { $1 })
        #expect(keyed.status == 0, "\(keyed.errors)")
    }

    /// Standard error that cannot be written (a full disk, a `tee` that exited) loses the text, and the
    /// command ends as it would: `FileHandle.write(_:)` trapped, which under `serve` stopped the platform at
    /// its next log line.
    @Test func anUnwritableStandardErrorLosesTheTextNotTheProcess() async throws {
        let run = try await ChildProgram.run(
            "/bin/sh", arguments: ["-c", "exec \"$0\" \"$@\" 2>/dev/full", try AgentCtlRun.binary().path, "config", "check"],
            environment: ["PATH": "/usr/bin:/bin", "AGENT_PLATFORM_HOME": try Self.home().path, "LOG_LEVEL": "chatty"],
            timeLimit: .seconds(120))
        #expect(run.status == 2)
        #expect(run.output.contains("configuration is invalid: 1 problem(s)"))
    }

    @Test func anInvalidConfigurationExitsWithStatus2AndEveryError() async throws {
        let home = try Self.home()
        let badKey = String(repeating: "zz", count: 32)
        let run = try await AgentCtlRun(
            ["config", "check"],
            environment: [
                "AGENT_PLATFORM_HOME": home.path, "LOG_LEVEL": "chatty", "ENCRYPTION_KEYS": "k1:\(badKey)",
                "JWT_HS256_SECRET": "too-short-secret",
            ])
        #expect(run.status == 2)
        #expect(run.errors.contains("error: LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical"))
        #expect(run.errors.contains("error: ENCRYPTION_KEYS: key 'k1' must contain only hex digits"))
        #expect(run.errors.contains("error: JWT_HS256_SECRET must be at least 32 bytes"))
        #expect(run.output.contains("configuration is invalid: 3 problem(s)"))
        for secret in [badKey, "too-short-secret"] {
            SecretCheck.expectAbsent(secret, in: run.output)
            SecretCheck.expectAbsent(secret, in: run.errors)
        }
        #expect(!FileManager.default.fileExists(atPath: home.appending(path: ".local").path))
    }

    /// A host that could never be listened on fails the check naming its setting, where `serve` met it
    /// only at its bind, in a resolver's words.
    @Test func aHostThatCannotBeListenedOnFailsTheCheck() async throws {
        let run = try await AgentCtlRun(
            ["config", "check"],
            environment: [
                "AGENT_PLATFORM_HOME": try Self.home().path, "API_HOST": "not a host", "METRICS_HOST": "999.1.1.1",
                "METRICS_PORT": "9",
            ])
        #expect(run.status == 2)
        #expect(run.errors.contains("error: API_HOST must be an IP address or a host name"), "\(run.errors)")
        #expect(run.errors.contains("error: METRICS_HOST must be an IPv4 address"), "\(run.errors)")
    }

    @Test func hostsThatMayBeListenedOn() {
        for host in [
            "127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1%eth0", "localhost", "api-1.internal.example",
            "api.svc.cluster.local.", "my_service",
        ] {
            #expect(ListenHost.problem(host) == nil, "\(host)")
        }
        #expect(ListenHost.problem("[::1]") == "must be written without brackets")
        for host in ["not a host", "999.1.1.1", "1.2.3", "", ".", "-a.example", "a..b", "a b", String(repeating: "a", count: 64)]
        {
            #expect(ListenHost.problem(host) != nil, "\(host)")
        }
    }

    @Test func theFileCanBeNamedByItsVariable() async throws {
        let file = try Fixtures.file(#"{"log": {"level": "error"}}"#)
        let run = try await AgentCtlRun(
            ["config", "check"], environment: ["AGENT_PLATFORM_CONFIG": file, "AGENT_PLATFORM_HOME": try Self.home().path])
        #expect(run.status == 0)
        #expect(run.output.contains("configuration file: \(file)"))
        #expect(run.output.split(separator: "\n").contains { $0.split(separator: " ") == ["LOG_LEVEL", "error", "file"] })
    }

    /// A bad LOG_LEVEL used to be ignored while a bad API_PORT stopped the process; now both stop start-up alike.
    @Test(arguments: [("LOG_LEVEL", "chatty", "LOG_LEVEL must be one of"), ("API_PORT", "eighty", "API_PORT must be an integer")])
    func aBadSettingStopsStartUpBeforeTheDatabase(variable: String, value: String, message: String) async throws {
        let home = try Self.home()
        let run = try await AgentCtlRun(["serve"], environment: ["AGENT_PLATFORM_HOME": home.path, variable: value])
        #expect(run.status == 1)
        #expect(run.errors.contains(message), "\(run.errors)")
        #expect(!run.errors.contains(value))
        #expect(!FileManager.default.fileExists(atPath: home.appending(path: ".local").path))
    }
}
