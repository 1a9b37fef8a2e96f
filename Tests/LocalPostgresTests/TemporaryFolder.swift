import Foundation

/// Fresh folders for tests, all inside one folder of this test process that is deleted at exit.
enum TemporaryFolder {
    /// Created on first use; a global's initialiser runs exactly once.
    static let root: URL = {
        let root = FileManager.default.temporaryDirectory
            .appending(path: "localpg-tests-\(getpid())", directoryHint: .isDirectory)
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TemporaryFolder.root) }
        return root
    }()

    static func make(_ label: String) throws -> URL {
        let folder = root.appending(path: "\(label)-\(UUID().uuidString.prefix(8))", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The server account (when we are root) must reach folders below these.
        for path in [root.path, folder.path] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        return folder
    }

    /// `POSTGRES_BIN_DIR` when set, as the platform passes it; else the cluster searches.
    static var binDirectory: URL? {
        ProcessInfo.processInfo.environment["POSTGRES_BIN_DIR"].flatMap {
            $0.isEmpty ? nil : URL(filePath: $0, directoryHint: .isDirectory)
        }
    }
}
