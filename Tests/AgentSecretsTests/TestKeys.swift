@testable import AgentSecrets

/// Fixed test keys and contexts shared by the suites; none is a real key.
enum TestKeys {
    static let hexA = "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0"
    static let hexB = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
    static let hexC = "5555555555555555555555555555555555555555555555555555555555555555"

    static let rowOne = SealContext(tenantID: "tenant-1", connectionID: "conn-1")
    static let rowTwo = SealContext(tenantID: "tenant-1", connectionID: "conn-2")
    static let otherTenant = SealContext(tenantID: "tenant-2", connectionID: "conn-1")

    static let apiKey = "sk-proj-TestOnly0123456789abcdefghijklmnopqrstuvwxyzABCD"

    static func keyring(_ entries: [(id: String, hex: String)], active: String? = nil) throws -> Keyring {
        try Keyring(keys: entries, activeKeyID: active)
    }
}
