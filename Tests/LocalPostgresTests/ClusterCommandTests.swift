import Foundation
import Testing

@testable import LocalPostgres

/// Running programs through swift-subprocess: status, output, deadline, environment.
@Suite struct ClusterCommandTests {
    static func command(_ arguments: [String], timeout: Duration = .seconds(10)) -> ClusterCommand {
        ClusterCommand(
            arguments: arguments, directory: URL(filePath: "/", directoryHint: .isDirectory), timeout: timeout)
    }

    @Test func returnsTheStatusAndBothOutputs() async throws {
        let outcome = try await Self.command(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"]).run()
        #expect(outcome.status == 3)
        #expect(outcome.output.contains("out") && outcome.output.contains("err"))
        await #expect(throws: LocalClusterError.self) {
            try await Self.command(["/bin/sh", "-c", "exit 1"]).check()
        }
    }

    @Test func aSignalEndsWith128PlusItsNumber() async throws {
        let outcome = try await Self.command(["/bin/sh", "-c", "kill -TERM $$"]).run()
        #expect(outcome.status == 128 + SIGTERM)
    }

    @Test func aCommandPastItsDeadlineIsTerminated() async throws {
        let start = ContinuousClock.now
        let error = await #expect(throws: LocalClusterError.self) {
            try await Self.command(["/bin/sh", "-c", "echo started; exec sleep 30"], timeout: .milliseconds(300)).run()
        }
        guard case .timedOut(_, _, let output, _) = try #require(error) else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(output.contains("started"))
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func aMissingProgramFailsToLaunch() async throws {
        let error = await #expect(throws: LocalClusterError.self) {
            try await Self.command(["/nonexistent/initdb", "-D", "/tmp/x"]).run()
        }
        guard case .launchFailed(let command, _) = try #require(error) else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(command == "/nonexistent/initdb -D /tmp/x")
    }

    /// A command keeps no descriptor open once it has run: each once left the copy swift-subprocess makes
    /// for `.combinedWithOutput` open on its (deleted) output file. Counted after twenty commands, so
    /// that other suites' commands running at the same moment cannot make up the difference.
    @Test func aCommandLeavesNoDescriptorOpen() async throws {
        for _ in 0..<20 { _ = try await Self.command(["/bin/sh", "-c", "echo out"]).run() }
        let folder = "/proc/self/fd"
        let outputs = try FileManager.default.contentsOfDirectory(atPath: folder).filter { name in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\(name)")) ?? ""
            return target.contains("localpg-\(getpid())-") && target.hasSuffix(".out (deleted)")
        }
        #expect(outputs.count < 10, "\(outputs.count) descriptors still open on commands' output files")
    }

    // MARK: Environment

    @Test func childrenGetOnlyTheAllowlist() async throws {
        let parent = [
            "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C", "TZ": "UTC", "HOME": "/root",
            "ENCRYPTION_KEY": "secret-key", "JWT_HS256_SECRET": "secret", "DATABASE_URL": "postgresql://a:b@c/d",
            "PGPORT": "6543", "AGENT_PLATFORM_CONFIG": "/etc/agent.json",
        ]
        let variables = ChildEnvironment.variables(for: nil, parent: parent)
        #expect(Set(variables.keys) == ["PATH", "LANG", "LC_ALL", "TZ", "HOME"])

        let account = ServerAccount(name: "postgres", uid: 101, gid: 102, groups: [102], home: "/var/lib/postgresql")
        let asAccount = ChildEnvironment.variables(for: account, parent: parent)
        #expect(asAccount["HOME"] == "/var/lib/postgresql")
        #expect(asAccount["USER"] == "postgres" && asAccount["LOGNAME"] == "postgres")
        #expect(asAccount["PATH"] == "/usr/bin:/bin")
        #expect(ChildEnvironment.variables(for: nil, parent: [:])["PATH"] == ChildEnvironment.defaultPath)
    }

    @Test func aChildSeesNothingOutsideTheAllowlist() async throws {
        let outcome = try await Self.command(["/usr/bin/env"]).run()
        #expect(outcome.status == 0)
        let names = outcome.output.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) }
        let allowed = ChildEnvironment.passedNames.union(["USER", "LOGNAME"])
        #expect(names.allSatisfy { allowed.contains($0) || $0.hasPrefix("LC_") }, "\(names)")
        #expect(names.contains("PATH"))
    }
}
