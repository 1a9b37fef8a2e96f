import Foundation
import Testing

@testable import LocalPostgres

/// What a cluster is before it runs: its binaries, its endpoint, its socket directory.
@Suite struct LocalClusterTests {
    @Test func missingBinariesAreAnErrorNamingTheFolder() throws {
        let empty = try TemporaryFolder.make("no-binaries")
        let error = #expect(throws: LocalClusterError.self) {
            try LocalCluster(folder: empty.appending(path: "postgres"), binDirectory: empty)
        }
        guard case .binariesNotFound(let searched) = try #require(error) else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(searched == [empty.path])
        #expect("\(try #require(error))".contains("POSTGRES_BIN_DIR"))
        #expect(!LocalCluster.hasServerPrograms(in: empty))
    }

    /// Without Debian's folders and with an empty PATH nothing is found, saying where it looked; with them,
    /// the preferred major wins over a newer one, and a folder missing a program is passed over. (Against
    /// stand-in folders: CI's machines have Debian's, which would leave the first case untested.)
    @Test func theSearchPrefersDebiansPreferredMajorAndNamesWhereItLooked() throws {
        let root = try TemporaryFolder.make("debian-root")
        let error = #expect(throws: LocalClusterError.self) {
            try PostgresBinaries.locate(searchPath: "", debianRoot: root.path)
        }
        #expect("\(try #require(error))".contains("\(root.path)/*/bin"))
        let preferred = "\(PostgresBinaries.preferredMajor)"
        func install(_ major: String, lacking missing: String? = nil) throws {
            let bin = root.appending(path: "\(major)/bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            for program in PostgresBinaries.requiredPrograms where program != missing {
                let path = bin.appending(path: program).path
                #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8)))
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            }
        }
        // The preferred major and the newest lack a program: the newest complete one is found.
        try install("14")
        try install("16")
        try install(preferred, lacking: "postgres")
        try install("99", lacking: "initdb")
        #expect(try PostgresBinaries.locate(searchPath: "", debianRoot: root.path).path.contains("/16/bin"))
        // Complete, the preferred major wins over newer ones.
        try install(preferred)
        #expect(try PostgresBinaries.locate(searchPath: "", debianRoot: root.path).path.contains("/\(preferred)/bin"))
    }

    /// A configuration value keeps a path as it is: quotes doubled, backslashes escaped (PostgreSQL reads
    /// `\b` in a quoted value as a backspace).
    @Test func aConfigurationValueKeepsQuotesAndBackslashes() {
        #expect(LocalCluster.quote(#"/tmp/a\b'c"#) == #"'/tmp/a\\b''c'"#)
    }

    @Test func theEndpointURLIsLibpqsSocketForm() {
        let endpoint = LocalCluster.Endpoint(socketDirectory: "/tmp/agent pg", port: 5432, superuser: "agent_admin")
        #expect(
            endpoint.url(user: "agent_admin", database: "agent_platform")
                == "postgresql://agent_admin@%2Ftmp%2Fagent%20pg:5432/agent_platform")
        #expect(endpoint.url(user: "app&co", database: "db") == "postgresql://app%26co@%2Ftmp%2Fagent%20pg:5432/db")
    }

    @Test func theSocketDirectoryStaysInsideShortFoldersAndMovesOutOfLongOnes() {
        let short = URL(filePath: "/srv/agent/.local/postgres", directoryHint: .isDirectory)
        #expect(LocalCluster.socketDirectory(for: short) == "/srv/agent/.local/postgres/socket")
        let long = URL(filePath: "/srv/" + String(repeating: "deep/", count: 20) + "postgres", directoryHint: .isDirectory)
        let moved = LocalCluster.socketDirectory(for: long)
        #expect(moved.hasPrefix("/tmp/agentpg-") && moved.count == "/tmp/agentpg-".count + 8)
        #expect(moved == LocalCluster.socketDirectory(for: long), "stable for the same folder")
    }
}
