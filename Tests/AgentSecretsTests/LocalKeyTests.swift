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

    /// First runs at once (`serve` and a command started beside it) all end with the one key that was
    /// placed: the file appears whole, so none reads it empty or half written, and no scratch file is left.
    @Test func runsAtOnceAgreeOnOneKey() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = self.keyFile
        let sealed = try await withThrowingTaskGroup(of: (Bool, String).self) { group in
            for _ in 0..<16 {
                group.addTask {
                    let (keyring, created) = try Keyring.loadOrCreateLocalKey(at: keyFile)
                    return (created, try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sealed.filter(\.0).count == 1, "one run created the key")
        let (keyring, _) = try Keyring.loadOrCreateLocalKey(at: keyFile)
        for (_, box) in sealed {
            #expect(try keyring.open(box, context: TestKeys.rowOne).exposedValue == TestKeys.apiKey)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: keyFile.deletingLastPathComponent().path).count == 1)
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
