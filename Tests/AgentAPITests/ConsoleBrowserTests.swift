import AgentAPI
import AgentConsole
import AgentTestSupport
import Foundation
import HummingbirdTesting
import ProviderEmulator
import Testing

/// The console in a real browser: `Tests/Python/console_walk.py` drives headless Chromium through Selenium
/// against this server (over loopback), PostgreSQL and the provider emulator: sign in, an agent and a
/// connection, streamed chat, stop, reload mid-reply, regenerate, feedback, search, usage, audit, tokens,
/// a form without its CSRF token, sign-out, and a second tenant who sees none of it.
///
/// Runs only with `CONSOLE_BROWSER_WALK=1`, which `scripts/test` sets for a second `swift test` of this suite
/// alone: beside the other suites, in parallel on two cores, Chromium and they starve each other. Skipped
/// where Selenium or chromedriver is missing, unless `REQUIRE_BROWSER=1` (CI installs both and sets it).
/// Screenshots of each main page, desktop and phone width, go to `.build/console-screenshots`.
@Suite(.oneDatabase) struct ConsoleBrowserTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CONSOLE_BROWSER_WALK"] == "1"))
    func theConsoleWalksInChromium() async throws {
        let required = ProcessInfo.processInfo.environment["REQUIRE_BROWSER"] == "1"
        let driver = ProcessInfo.processInfo.environment["CHROMEDRIVER"] ?? "/usr/bin/chromedriver"
        guard try await PythonScript.canImport("selenium"), FileManager.default.isExecutableFile(atPath: driver) else {
            #expect(!required, "REQUIRE_BROWSER=1 but selenium or \(driver) is missing")
            return
        }
        var made = try await TestAPI.make()
        made.companions = [try WebConsole()]
        let api = made
        let owner = try await api.makeUser("walker")
        let other = try await api.makeUser("other")
        let screenshots = PythonScript.root.appendingPathComponent(".build/console-screenshots")
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        try await ProviderEmulator().withRunning { providerURL in
            try await api.test(.live) { client in
                let port = try #require(client.port)
                let result = try await PythonScript.run(
                    "Tests/Python/console_walk.py",
                    environment: [
                        "CONSOLE_URL": "http://127.0.0.1:\(port)", "PROVIDER_URL": providerURL,
                        "SCREENSHOTS": screenshots.path,
                    ],
                    input: "\(owner.token)\n\(other.token)", timeLimit: 300, niceness: 10)
                #expect(result.status == 0, "\(SecretCheck.masking(result.output, owner.token, other.token))")
                SecretCheck.expectAbsent(owner.token, in: result.output)
                SecretCheck.expectAbsent(other.token, in: result.output)
            }
        }
    }
}
