import Foundation

/// A fresh folder under the temporary directory, for one test.
enum TemporaryFolder {
    static func make(_ label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appending(path: "localpg-test-\(label)-\(UUID().uuidString.prefix(8))", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The server account (when we are root) must reach folders below this one.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        return folder
    }

    /// `POSTGRES_BIN_DIR` when set, as the platform passes it; else the cluster searches.
    static var binDirectory: URL? {
        ProcessInfo.processInfo.environment["POSTGRES_BIN_DIR"].flatMap {
            $0.isEmpty ? nil : URL(filePath: $0, directoryHint: .isDirectory)
        }
    }
}
