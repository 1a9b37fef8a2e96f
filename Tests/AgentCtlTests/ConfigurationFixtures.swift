import AgentTestSupport
import Foundation
import JWTKit

/// Settings for the configuration tests; none is a real secret.
enum ConfigurationFixtures {
    static let key = TestKeys.old
    static let otherKey = TestKeys.new
    static let jwtSecret = "jwt-test-secret-0123456789-abcdefghij"
    static let databasePassword = "pa55-w0rd-test"
    static let databaseURL = "postgresql://app:\(databasePassword)@db.example.test:5433/agents?sslmode=require"
    static let adminURL = "postgresql://owner:\(databasePassword)@db.example.test:5433/agents?sslmode=require"

    /// A JSON Web Key Set with one fresh public key.
    static func keySet() throws -> String {
        guard let parameters = ES256PrivateKey().parameters else { throw CocoaError(.featureUnsupported) }
        return
            #"{"keys":[{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"idp-1","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
    }

    /// Every fixture lives in this folder of the test process, deleted at exit.
    static let root: URL = {
        let root = FileManager.default.temporaryDirectory.appending(path: "agentctl-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ConfigurationFixtures.root) }
        return root
    }()

    /// A new empty folder.
    static func folder(_ label: String) throws -> URL {
        let folder = root.appending(path: "\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `text` to a new file (mode 0600 unless told) in a new temporary folder and returns its path.
    static func file(_ text: String, named name: String = "config.json", mode: Int = 0o600) throws -> String {
        let url = try folder("config").appending(path: name)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url.path
    }

    /// A folder holding fake, executable `initdb`, `pg_ctl` and `postgres`, enough for POSTGRES_BIN_DIR's check.
    static func fakeBinaries() throws -> String {
        let directory = try folder("bin")
        for program in ["initdb", "pg_ctl", "postgres"] {
            let url = directory.appending(path: program)
            try Data("#!/bin/sh\nexit 1\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        return directory.path
    }
}
