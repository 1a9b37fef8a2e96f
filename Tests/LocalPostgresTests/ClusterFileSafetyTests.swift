import Foundation
import Testing

@testable import LocalPostgres

/// Run as root, the cluster's folder and PGDATA belong to the server account, which could plant links
/// there. Every link planted where the cluster reads or writes is refused, and the file it points to
/// keeps its owner, mode and contents. Run as another user, the same holds with that user as owner.
@Suite struct ClusterFileSafetyTests {
    /// A file or directory outside the cluster that a planted link points to: as it was before.
    struct Target {
        let url: URL
        let owner: uid_t
        let mode: mode_t
        let contents: Data?

        /// A file of ours holding `secret` with mode 0600, as the local encryption key is.
        static func file(in folder: URL, _ secret: String) throws -> Target {
            let url = folder.appending(path: "encryption.key")
            try Data(secret.utf8).write(to: url)
            chmod(url.path, 0o600)
            return try Target(url)
        }

        /// A directory of ours with mode 0755.
        static func directory(in folder: URL) throws -> Target {
            let url = folder.appending(path: "elsewhere", directoryHint: .isDirectory)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            chmod(url.path, 0o755)
            return try Target(url)
        }

        init(_ url: URL) throws {
            var info = stat()
            guard lstat(url.path, &info) == 0 else { throw CocoaError(.fileNoSuchFile) }
            self.url = url
            self.owner = info.st_uid
            self.mode = info.st_mode & 0o7777
            self.contents = (info.st_mode & S_IFMT) == S_IFREG ? try Data(contentsOf: url) : nil
        }

        func expectUnchanged(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let now = try Target(url)
            #expect(now.owner == owner, "owner of \(url.path)", sourceLocation: sourceLocation)
            #expect(now.mode == mode, "mode of \(url.path)", sourceLocation: sourceLocation)
            #expect(now.contents == contents, "contents of \(url.path)", sourceLocation: sourceLocation)
        }
    }

    static let secret = "0123456789abcdef-not-a-real-key-but-secret-all-the-same"

    /// The server account when we are root; nil otherwise (the chown parts then do not apply).
    static func account() throws -> ServerAccount? { try ServerAccount.forCurrentProcess() }

    /// A cluster whose folder (and, with `data`, PGDATA) exists as the server account's, as after initdb,
    /// beside a folder `outside` for targets.
    static func cluster(_ label: String, data: Bool = false) throws -> (cluster: LocalCluster, outside: URL) {
        let parent = try TemporaryFolder.make(label)
        let folder = parent.appending(path: "postgres", directoryHint: .isDirectory)
        let outside = parent.appending(path: "outside", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        var made = [folder.path]
        if data { made.append(folder.appending(path: "data").path) }
        for path in made {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chmod(path, 0o700)
            if let account = try account() { chown(path, account.uid, account.gid) }
        }
        let cluster = try LocalCluster(folder: folder, binDirectory: TemporaryFolder.binDirectory, durable: false)
        return (cluster, outside)
    }

    static func isLink(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    // MARK: Links

    /// Before, the key was read through the link and written into a new `postgresql.conf` of the account's.
    @Test func aLinkInPlaceOfTheConfigurationIsRefused() throws {
        let (cluster, outside) = try Self.cluster("conf-link", data: true)
        let key = try Target.file(in: outside, Self.secret)
        let configuration = cluster.dataDirectory.appending(path: "postgresql.conf")
        try FileManager.default.createSymbolicLink(at: configuration, withDestinationURL: key.url)

        #expect(throws: LocalClusterError.self) { try cluster.writeConfiguration(account: try Self.account()) }
        try key.expectUnchanged()
        #expect(Self.isLink(configuration))
        let names = try FileManager.default.contentsOfDirectory(atPath: cluster.dataDirectory.path)
        for name in names where !Self.isLink(cluster.dataDirectory.appending(path: name)) {
            let text = try String(contentsOf: cluster.dataDirectory.appending(path: name), encoding: .utf8)
            // Tested outside the expectation, which would print the secret with the file's text.
            let holdsTheSecret = text.contains(Self.secret)
            #expect(!holdsTheSecret, "\(name)")
        }
    }

    /// A FIFO or a link in place of `postmaster.pid`: the status is read without blocking (a FIFO held the
    /// read for ever, and `start` with it the cluster's lock) and the cluster counts as stopped.
    @Test(arguments: ["fifo", "link"]) func aPlantedPidFileIsNotRead(kind: String) async throws {
        let (cluster, _) = try Self.cluster("pid-\(kind)", data: true)
        let data = cluster.dataDirectory
        try Data("15\n".utf8).write(to: data.appending(path: "PG_VERSION"))
        let pidFile = data.appending(path: "postmaster.pid")
        if kind == "fifo" {
            #expect(mkfifo(pidFile.path, 0o600) == 0)
        } else {
            try FileManager.default.createSymbolicLink(atPath: pidFile.path, withDestinationPath: "/dev/zero")
        }
        let status = Task.detached { cluster.status() }
        let waited = Task {
            try await Task.sleep(for: .seconds(10))
            Issue.record("status() still reading after 10 s")
        }
        #expect(await status.value == .stopped)
        waited.cancel()
    }

    /// PGDATA itself a link: nothing below it is read or written.
    @Test func aLinkInPlaceOfTheDataDirectoryIsRefused() throws {
        let (cluster, outside) = try Self.cluster("data-link")
        let elsewhere = try Target.directory(in: outside)
        let configuration = elsewhere.url.appending(path: "postgresql.conf")
        try Data("# someone else's\n".utf8).write(to: configuration)
        let before = try Target(configuration)
        try FileManager.default.createSymbolicLink(at: cluster.dataDirectory, withDestinationURL: elsewhere.url)

        #expect(throws: LocalClusterError.self) { try cluster.writeConfiguration(account: try Self.account()) }
        try elsewhere.expectUnchanged()
        try before.expectUnchanged()
    }

    /// Before, the lock's `open(O_CREAT)` followed the link and created the file it named, as root.
    @Test func aLinkInPlaceOfTheLockFileIsRefused() async throws {
        let (cluster, outside) = try Self.cluster("lock-link")
        let planted = outside.appending(path: "created-by-root")
        let lock = cluster.folder.appending(path: "cluster.lock")
        try FileManager.default.createSymbolicLink(at: lock, withDestinationURL: planted)

        await #expect(throws: LocalClusterError.self) { try await cluster.stop() }
        #expect(!FileManager.default.fileExists(atPath: planted.path))

        // An existing file of ours behind the link: opened neither for the lock nor for anything else.
        try FileManager.default.removeItem(at: lock)
        let key = try Target.file(in: outside, Self.secret)
        try FileManager.default.createSymbolicLink(at: lock, withDestinationURL: key.url)
        await #expect(throws: LocalClusterError.self) { try await cluster.stop() }
        try key.expectUnchanged()
    }

    /// Before, the folder's `chown` and `chmod` followed the link: the directory it named was given away.
    @Test func aLinkInPlaceOfTheFolderIsRefused() async throws {
        let (cluster, outside) = try Self.cluster("folder-link")
        let elsewhere = try Target.directory(in: outside)
        try FileManager.default.removeItem(at: cluster.folder)
        try FileManager.default.createSymbolicLink(at: cluster.folder, withDestinationURL: elsewhere.url)

        await #expect(throws: LocalClusterError.self) { try await cluster.stop() }
        try elsewhere.expectUnchanged()
    }

    @Test func aLinkInPlaceOfTheSocketDirectoryIsRefused() throws {
        let (cluster, outside) = try Self.cluster("socket-link")
        #expect(!cluster.socketDirectoryIsShared)
        for target in [try Target.directory(in: outside), try Target.file(in: outside, Self.secret)] {
            let socket = URL(filePath: cluster.socketDirectory)
            try? FileManager.default.removeItem(at: socket)
            try FileManager.default.createSymbolicLink(at: socket, withDestinationURL: target.url)
            #expect(throws: LocalClusterError.self) { try cluster.prepareSocketDirectory(account: try Self.account()) }
            try target.expectUnchanged()
        }
    }

    /// Before, the server log's last lines were read through the link and quoted in errors.
    @Test func aLinkInPlaceOfTheServerLogIsNotQuoted() throws {
        let (cluster, outside) = try Self.cluster("log-link")
        let key = try Target.file(in: outside, Self.secret)
        try FileManager.default.createSymbolicLink(at: cluster.logFile, withDestinationURL: key.url)
        let owners = LocalCluster.serverOwners(try Self.account())
        #expect(TextTail.lastLines(ofFile: cluster.logFile, owners: owners) == nil)
        #expect(TextTail.lastLines(ofFile: key.url, owners: [geteuid() == 0 ? 1 : geteuid() + 1]) == nil)
    }

    /// Before, initdb's output was written through a link planted under `initdb.log` into the file it named.
    @Test func aLinkInPlaceOfTheInitdbLogIsReplacedNotWrittenThrough() async throws {
        let (cluster, outside) = try Self.cluster("initdb-log")
        let key = try Target.file(in: outside, Self.secret)
        let log = cluster.folder.appending(path: "initdb.log")
        try FileManager.default.createSymbolicLink(at: log, withDestinationURL: key.url)
        do {
            try await cluster.start()
        } catch {
            try? await cluster.remove()
            throw error
        }
        try key.expectUnchanged()
        #expect(!Self.isLink(log))
        try await cluster.remove()
    }

    /// A second name for a file of someone else's (a hard link) is not taken for the cluster's own file.
    @Test func aHardLinkInPlaceOfTheConfigurationIsRefused() throws {
        let (cluster, outside) = try Self.cluster("conf-hardlink", data: true)
        let key = try Target.file(in: outside, Self.secret)
        let configuration = cluster.dataDirectory.appending(path: "postgresql.conf")
        // The account would need the file to be its own to link it (protected_hardlinks); as its owner we can.
        guard link(key.url.path, configuration.path) == 0 else { return }
        if let account = try Self.account() { chown(key.url.path, account.uid, account.gid) }
        let linked = try Target(key.url)
        #expect(throws: LocalClusterError.self) { try cluster.writeConfiguration(account: try Self.account()) }
        try linked.expectUnchanged()
    }

    // MARK: Server account

    /// Root runs the server as `postgres` or not at all: `nobody` is shared by other daemons.
    @Test func rootWithoutAPostgresAccountIsAnErrorNotNobody() throws {
        let nobody = ServerAccount(name: "nobody", uid: 65534, gid: 65534, groups: [65534], home: "/nonexistent")
        let onlyNobody: (String) -> ServerAccount? = { $0 == "nobody" ? nobody : nil }
        #expect(throws: LocalClusterError.self) { try ServerAccount.forProcess(userID: 0, lookUp: onlyNobody) }
        do {
            _ = try ServerAccount.forProcess(userID: 0, lookUp: onlyNobody)
        } catch {
            #expect("\(error)".contains("useradd --system"))
        }
        let postgres = ServerAccount(name: "postgres", uid: 101, gid: 104, groups: [104], home: "/var/lib/postgresql")
        #expect(try ServerAccount.forProcess(userID: 0, lookUp: { $0 == "postgres" ? postgres : nil })?.name == "postgres")
        #expect(try ServerAccount.forProcess(userID: 1000, lookUp: onlyNobody) == nil)
    }
}
