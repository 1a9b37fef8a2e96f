import AgentStore
import AgentTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// `agentctl serve` as a process: the API and, with `METRICS_PORT`, the metrics on a listener of their
/// own, started together and stopped together by SIGTERM.
@Suite struct ServeCommandTests {
    /// An external database without a key: refused before the database is touched (it was migrated first,
    /// then refused; here nothing listens at the URL, so a migration would have failed on reaching it).
    @Test func anExternalDatabaseWithoutAKeyIsRefusedBeforeItIsMigrated() async throws {
        let unreachable = "postgresql://agent_admin@127.0.0.1:1/agent_platform?sslmode=disable"
        let run = try await AgentCtlRun(
            ["serve"],
            environment: [
                "DATABASE_URL": unreachable, "ADMIN_DATABASE_URL": unreachable,
                "AGENT_PLATFORM_HOME": FileManager.default.temporaryDirectory.path,
            ])
        #expect(run.status != 0)
        #expect(run.errors.contains("no encryption key"), "\(run.errors)")
    }

    /// A port in use is said so, naming the address and what to change, where NIO's words were a system
    /// call's.
    @Test func aPortInUseIsSaidSo() async throws {
        let db = try await TestDatabase.make()
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { taken.close(promise: nil) }
        let port = try #require(taken.localAddress?.port)
        let run = try await AgentCtlRun(
            ["serve", "--hostname", "127.0.0.1", "--port", "\(port)"],
            environment: [
                "DATABASE_URL": db.runtimeURL.replacing(), "ENCRYPTION_KEY": TestKeys.store, "LOG_LEVEL": "error",
            ])
        #expect(run.status == 1)
        #expect(
            run.errors.contains("cannot listen on 127.0.0.1:\(port): the address is in use"), "\(run.errors)")
        await db.drop()
    }

    /// A port in use is refused before the local database is started, let alone migrated: a second serve
    /// started by mistake beside a running one changes nothing.
    @Test func aPortInUseIsRefusedBeforeTheDatabaseIsTouched() async throws {
        let home = try AgentCtlRun.freshHome("busy")
        defer { try? FileManager.default.removeItem(at: home) }
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { taken.close(promise: nil) }
        let port = try #require(taken.localAddress?.port)
        let run = try await AgentCtlRun(
            ["serve", "--hostname", "127.0.0.1", "--port", "\(port)"], environment: ["AGENT_PLATFORM_HOME": home.path])
        #expect(run.status == 1)
        #expect(run.errors.contains("cannot listen on 127.0.0.1:\(port): the address is in use"), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: home.appending(path: ".local/postgres").path))
    }

    /// An address that is not this machine's, or a name that does not resolve, is said so, naming the
    /// setting to change, not in a system call's or the resolver's words.
    @Test func anAddressThatCannotBeListenedOnIsSaidSo() async throws {
        let db = try await TestDatabase.make()
        for (host, why) in [
            ("192.0.2.1", "the address is not one of this machine's"), ("nonexistent.invalid", "the host name does not resolve"),
        ] {
            let run = try await AgentCtlRun(
                ["serve", "--port", "0"],
                environment: [
                    "DATABASE_URL": db.runtimeURL.replacing(), "ENCRYPTION_KEY": TestKeys.store, "LOG_LEVEL": "error",
                    "API_HOST": host,
                ])
            #expect(run.status == 1)
            #expect(
                run.errors.contains("cannot listen on \(host):0: \(why); choose another with --hostname or API_HOST"),
                "\(run.errors)")
        }
        await db.drop()
    }

    /// Stored keys sealed under a key id this instance lacks are warned of at start, by key id and count,
    /// never a key: every reply through them would fail, and was otherwise seen only reply by reply.
    @Test func storedKeysTheKeyringCannotOpenAreWarnedOf() async throws {
        let db = try await TestDatabase.make()
        let tenant = try await db.makeUser()
        let lost = AgentStore(client: db.runtime, keyring: try TestKeys.keyring("k0", TestKeys.lost), logger: db.logger)
        for index in 0..<2 {
            _ = try await lost.withTenant(tenant) {
                try await $0.createConnection(NewAPIConnection(name: "c\(index)", service: "openai", apiKey: "sk-lost-\(index)"))
            }
        }
        // Apart from the metrics test's range, which runs beside it; below Linux's ephemeral range.
        let apiPort = Int.random(in: 25_001...29_000)
        let serve = try ServingAgentCtl(
            ["serve", "--hostname", "127.0.0.1", "--port", "\(apiPort)"],
            environment: [
                "DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing(),
                "ENCRYPTION_KEYS": "k1:\(TestKeys.old)", "LOG_LEVEL": "info",
            ], keepingLog: true)
        #expect(try await serve.waitUntilServing("/health", port: apiPort, attempts: 150) == 200)
        #expect(try await serve.stopsCleanlyOnSigterm())
        let warning = serve.logged.split(separator: "\n").first { $0.contains("stored API keys this instance cannot open") }
        #expect(warning?.contains("key_id=k0") == true && warning?.contains("connections=2") == true, "\(serve.logged)")
        #expect(!serve.logged.contains("key_id=k1"))
        SecretCheck.expectAbsent(TestKeys.lost, in: serve.logged)
        SecretCheck.expectAbsent(TestKeys.old, in: serve.logged)
        await db.drop()
    }

    @Test func metricsHaveTheirOwnListenerAndSigtermStopsBoth() async throws {
        let db = try await TestDatabase.make()
        // Below Linux's ephemeral range (32768 to 60999), which every port-0 listener and outgoing connection of
        // the parallel run draws from.
        let apiPort = Int.random(in: 21_000...25_000)
        let metricsPort = apiPort + 1
        let serve = try ServingAgentCtl(
            ["serve", "--hostname", "127.0.0.1", "--port", "\(apiPort)"],
            environment: [
                "DATABASE_URL": db.runtimeURL.replacing(), "ENCRYPTION_KEY": TestKeys.store,
                "METRICS_PORT": "\(metricsPort)", "LOG_LEVEL": "info",
            ], keepingLog: true)

        #expect(try await serve.waitUntilServing("/health", port: apiPort, attempts: 150) == 200)
        // The two listeners start side by side, in either order: the metrics one is waited for too.
        #expect(try await serve.waitUntilServing("/metrics", port: metricsPort, attempts: 150) == 200)
        #expect(Self.status(of: "/metrics", port: apiPort) == 404)
        #expect(Self.status(of: "/health", port: metricsPort) == 404, "the metrics listener serves nothing else")

        #expect(try await serve.stopsCleanlyOnSigterm())
        // The watchdog was armed by the signal: the process would end, whatever held its shutdown. (A service
        // the group stopped on the same signal may have armed it first, and the process may end before the
        // watchdog's own handler of the signal runs.)
        let log = serve.logged
        let heard = log.contains(#"because="signal 15""#) || log.contains(#"because="a shutdown signal (SIGTERM or SIGINT)""#)
        #expect(log.contains("shutting down") && heard, "\(log)")
        // The two listeners' start lines are told apart (with port 0 their ports alone would not say which).
        let started = { (port: Int) in log.split(separator: "\n").first { $0.contains("listening on 127.0.0.1:\(port)") } }
        #expect(started(metricsPort)?.contains("listener=metrics") == true, "\(log)")
        #expect(started(apiPort).map { !$0.contains("listener=") } == true, "\(log)")
        // Each request's line names one id, the client's X-Request-Id (Hummingbird's, the same, is not written).
        #expect(log.contains(" request_id=") && !log.contains("hb.request.id"), "\(log)")
        #expect(Self.status(of: "/health", port: apiPort) == nil)
        #expect(Self.status(of: "/metrics", port: metricsPort) == nil)
        await db.drop()
    }

    /// The status of `GET path` on the loopback port, or nil when nothing answers (2 s at most).
    static func status(of path: String, port: Int) -> Int? {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(socket, request, request.count, 0) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let read = recv(socket, &buffer, buffer.count, 0)
        guard read > 12 else { return nil }
        // "HTTP/1.1 200 ..."
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }
}
