import Foundation
import Testing

@testable import AgentSecrets

@Suite struct LocalKeyTests {
    let folder: URL

    init() {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("agent-secrets-tests-\(UUID().uuidString)", isDirectory: true)
    }

    private var keyFile: URL { folder.appendingPathComponent("dev/secrets.key") }

    private func permissions(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return try #require((attributes[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test func createsThenLoadsTheSameKey() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let (first, created) = try Keyring.loadOrCreateLocalKey(at: keyFile)
        #expect(created)
        #expect(first.activeKeyID == Keyring.localKeyID)
        #expect(try permissions(keyFile) == 0o600)

        let sealed = try first.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        let (second, createdAgain) = try Keyring.loadOrCreateLocalKey(at: keyFile)
        #expect(!createdAgain)
        #expect(try second.open(sealed, context: TestKeys.rowOne).exposedValue == TestKeys.apiKey)
    }

    @Test func refusesAWorldReadableFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Keyring.loadOrCreateLocalKey(at: keyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile.path)
        #expect(throws: KeyringError.insecureFilePermissions(path: keyFile.path)) {
            try Keyring.loadOrCreateLocalKey(at: keyFile)
        }
    }

    @Test func invalidFileContentIsNotEchoed() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let content = String(TestKeys.hexC.dropLast(4))
        let written = FileManager.default.createFile(
            atPath: keyFile.path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]
        )
        try #require(written)
        let error = #expect(throws: KeyringError.self) { try Keyring.loadOrCreateLocalKey(at: keyFile) }
        let text = String(describing: try #require(error))
        #expect(text.contains(keyFile.path))
        #expect(!text.contains(content))
    }
}
