import ProviderEmulator
import Testing

@testable import AgentProviders

/// The SSRF guard: which addresses a provider call may reach, and the allowlist's syntax.
@Suite struct ProviderAddressPolicyTests {
    static let nonPublic = [
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255",
        "240.0.0.1", "192.0.2.10", "198.18.0.1", "203.0.113.5", "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a9fe:a9fe", "64:ff9b:1:808:808::",
        "2002:c0a8:0101::1", "fc00::1", "fd12:3456::1",
        "fe80::1", "febf::1", "fec0::1", "ff02::1", "2001:db8::1", "2001::1", "100::1",
        // IPv4-translated (SIIT) loopback and metadata addresses; the newer documentation prefix.
        "::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe", "3fff::1", "3fff:fff::1",
    ]

    static let publicAddresses = [
        "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700:4700::1111",
        "2a00:1450:4001::1", "::ffff:8.8.8.8", "64:ff9b::808:808", "::ffff:0:808:808", "3ffe::1",
    ]

    @Test(arguments: nonPublic)
    func refusesNonPublicAddresses(_ literal: String) throws {
        let address = try #require(IPAddress(literal: literal))
        #expect(!address.isPublic)
    }

    @Test(arguments: publicAddresses)
    func acceptsPublicAddresses(_ literal: String) throws {
        let address = try #require(IPAddress(literal: literal))
        #expect(address.isPublic)
    }

    @Test(arguments: [
        "http://127.0.0.1:8080", "http://10.1.2.3", "http://169.254.169.254/latest", "http://[::1]:8080",
        "https://[fd00::1]", "http://[::ffff:192.168.0.1]", "http://100.64.1.1", "http://0.0.0.0:80",
    ])
    func refusesNonPublicBaseURLsWithoutAllowlist(_ baseURL: String) async throws {
        let endpoint = try ProviderEndpoint(wireProtocol: .openAI, baseURL: baseURL)
        await #expect(throws: ProviderCallError.refusedAddress(host: endpoint.host)) {
            try await ProviderAddressPolicy.publicOnly.check(endpoint, for: nil)
        }
    }

    /// The answer is kept for a while, and checked again at each call all the same.
    @Test func refusesAHostNameThatResolvesToLoopback() async throws {
        let endpoint = try ProviderEndpoint(wireProtocol: .anthropic, baseURL: "http://localhost:9998")
        for _ in 0..<2 {
            await #expect(throws: ProviderCallError.refusedAddress(host: "localhost")) {
                try await ProviderAddressPolicy.publicOnly.check(endpoint, for: nil)
            }
            let kept = try #require(HostResolution.keptAddresses(of: "localhost", port: 9998))
            #expect(kept.allSatisfy { !$0.isPublic })
        }
    }

    /// Numeric host forms that are no address literal for `inet_pton` but that the resolver reads as one.
    @Test(arguments: ["http://2130706433", "http://0x7f000001", "http://017700000001", "http://127.1", "http://0"])
    func refusesLoopbackWrittenAsANumber(_ baseURL: String) async throws {
        let endpoint = try ProviderEndpoint(wireProtocol: .openAI, baseURL: baseURL)
        await #expect(throws: ProviderCallError.refusedAddress(host: endpoint.host)) {
            try await ProviderAddressPolicy.publicOnly.check(endpoint, for: nil)
        }
    }

    @Test func acceptsAPublicAddressLiteralWithoutResolving() async throws {
        let endpoint = try ProviderEndpoint(wireProtocol: .openAI, baseURL: "https://8.8.8.8")
        try await ProviderAddressPolicy.publicOnly.check(endpoint, for: nil)
        #expect(try await ProviderAddressPolicy.publicOnly.target(of: endpoint, for: nil) == .asWritten)
    }

    @Test func allowsListedHostsAndOnlyOnTheirPort() async throws {
        let policy = try ProviderAddressPolicy(allowlist: "127.0.0.1:8080, localhost, [::1]:9000")
        for allowed in ["http://127.0.0.1:8080", "http://localhost:1234", "http://LOCALHOST", "http://[::1]:9000"] {
            try await policy.check(try ProviderEndpoint(wireProtocol: .openAI, baseURL: allowed), for: nil)
        }
        for refused in ["http://127.0.0.1:8081", "http://127.0.0.1", "http://[::1]:9001", "http://10.0.0.1:8080"] {
            let endpoint = try ProviderEndpoint(wireProtocol: .openAI, baseURL: refused)
            await #expect(throws: ProviderCallError.refusedAddress(host: endpoint.host)) {
                try await policy.check(endpoint, for: nil)
            }
        }
    }

    @Test func theClientChecksAtCallTime() async throws {
        try await EmulatedProvider.run(policy: .publicOnly) { provider in
            let error = try await provider.streamError(chat("hi"), .openAI)
            #expect(error == .refusedAddress(host: "127.0.0.1"))
            // This connection's address; another connection's may be allowed.
            #expect(error?.allowsFallback == true)
            #expect(await provider.emulator.recordedRequests().isEmpty)
        }
    }

    @Test func parsesAllowlists() throws {
        let policy = try ProviderAddressPolicy(allowlist: " localhost , 127.0.0.1:8081,,[::1]:9000, ::1, api.example.com ")
        #expect(
            policy.allowedHosts == [
                .init(host: "localhost"), .init(host: "127.0.0.1", port: 8081), .init(host: "::1", port: 9000),
                .init(host: "::1"), .init(host: "api.example.com"),
            ])
        #expect(try ProviderAddressPolicy(allowlist: "").allowedHosts.isEmpty)
    }

    @Test(arguments: ["host:0", "host:70000", "host:abc", "bad host", "[::1", "[::1]x", "*.example.com", "[10.0.0.1]:80", ":80"])
    func namesTheBadAllowlistEntry(_ entry: String) {
        #expect(throws: ProviderAddressPolicy.InvalidAllowlistEntry(entry: entry)) {
            try ProviderAddressPolicy(allowlist: "localhost, \(entry)")
        }
    }
}
