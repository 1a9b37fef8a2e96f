import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension LocalCluster {
    /// How long `pg_ctl` waits for the server to start or stop (`-t`).
    static let serverTimeoutSeconds = 60

    // MARK: Start

    /// Makes sure the cluster exists and runs, and returns how to reach it.
    ///
    /// Initialises the cluster on first use and starts the server when it is not running; when it
    /// already runs this only checks and returns. Safe to call repeatedly and from several
    /// processes at once: a lock file in the folder serialises callers.
    @discardableResult
    public func start() async throws(LocalClusterError) -> Endpoint {
        let account = try ServerAccount.forCurrentProcess()
        return try await self.withLock(account: account) { () async throws(LocalClusterError) -> Endpoint in
            if case .running = self.status() { return self.endpoint }
            if let account {
                var directories = ServerAccount.ancestors(of: self.folder.path)
                if self.socketDirectoryIsShared {
                    directories += ServerAccount.ancestors(of: self.socketDirectory).filter { !directories.contains($0) }
                }
                try await account.checkCanTraverse(directories)
            }
            if self.status() == .notInitialized {
                try await self.initialize(account: account)
            }
            try self.prepareSocketDirectory(account: account)
            try self.writeConfiguration(account: account)
            // A `postmaster.pid` provably left by no server of this cluster (a crashed server's, one whose pid
            // another cluster's server now has) would stop PostgreSQL here; one that cannot be told apart
            // from a live server's is left for PostgreSQL to judge.
            if self.hasStalePidFile() { try self.openData(account: account).remove("postmaster.pid") }
            try await self.serverCommand(
                [
                    "pg_ctl", "-D", self.dataDirectory.path, "-l", self.logFile.path,
                    "-w", "-t", "\(Self.serverTimeoutSeconds)", "start",
                ],
                account: account,
                log: self.logFile
            ).check()
            guard case .running = self.status() else {
                throw .serverNotRunning(
                    folder: self.folder.path, log: TextTail.lastLines(ofFile: self.logFile, owners: Self.serverOwners(account)))
            }
            return self.endpoint
        }
    }

    /// Runs initdb into a scratch directory and renames it into place, so an interrupted
    /// initdb never leaves something that looks like a cluster.
    private func initialize(account: ServerAccount?) async throws(LocalClusterError) {
        let partial = self.partialDataDirectory
        try Self.removeItem(partial)
        var arguments = [
            // No trust anywhere: peer on the socket (the map is written on every start, see
            // writeConfiguration), and no TCP at all.
            "initdb", "-D", partial.path, "-U", self.superuser, "--auth-local=peer", "--auth-host=reject", "-E", "UTF8",
            Self.localeOption,
        ]
        // A throwaway cluster need not wait for initdb's final fsync of every file.
        if !self.durable { arguments.append("--no-sync") }
        let command = self.serverCommand(arguments, account: account, log: nil, timeout: .seconds(300))
        let outcome = try await command.run()
        // Kept for diagnosis; failure to save it must not hide the real outcome. Through the folder's
        // descriptor: a link planted under the log's name is replaced, never written through.
        try? self.openFolder(account: account).replaceFile(
            self.initdbLogFile.lastPathComponent, with: Data(outcome.output.utf8), mode: 0o600, account: nil)
        guard outcome.status == 0 else {
            throw .commandFailed(
                command: command.displayName,
                status: outcome.status,
                output: TextTail.lastLines(of: outcome.output),
                log: nil
            )
        }
        do {
            try FileManager.default.moveItem(at: partial, to: self.dataDirectory)
        } catch {
            throw .fileSystem(operation: "rename \(partial.path) to", path: self.dataDirectory.path, reason: "\(error)")
        }
    }

    /// `--locale=C.UTF-8` where the C library has it (byte-order collation, UTF-8 character classes),
    /// else `--no-locale`, since initdb fails outright on an unknown locale.
    static var localeOption: String {
        #if canImport(Darwin)
            let mask = LC_CTYPE_MASK
        #else
            let mask: Int32 = 1 << LC_CTYPE  // LC_CTYPE_MASK, a macro Swift cannot import from glibc
        #endif
        guard let locale = newlocale(mask, "C.UTF-8", nil) else { return "--no-locale" }
        freelocale(locale)
        return "--locale=C.UTF-8"
    }

    // MARK: Stop

    /// Stops the server (fast shutdown: disconnects clients, rolls back open transactions).
    /// Does nothing when it is not running or does not exist.
    public func stop() async throws(LocalClusterError) {
        guard FileManager.default.fileExists(atPath: self.folder.path) else { return }
        let account = try ServerAccount.forCurrentProcess()
        try await self.withLock(account: account) { () async throws(LocalClusterError) in
            try await self.stopLocked(account: account)
        }
    }

    private func stopLocked(account: ServerAccount?) async throws(LocalClusterError) {
        guard case .running = self.status() else { return }
        do {
            try await self.serverCommand(
                ["pg_ctl", "-D", self.dataDirectory.path, "-m", "fast", "-w", "-t", "\(Self.serverTimeoutSeconds)", "stop"],
                account: account,
                log: self.logFile
            ).check()
        } catch {
            // The server may have exited on its own in the meantime; only a survivor is a failure.
            if case .running = self.status() { throw error }
        }
    }

    // MARK: Remove

    /// Stops the server and deletes the folder and the socket directory. Meant for tests.
    ///
    /// Refuses to delete a folder holding files the cluster did not create, so a misconfigured
    /// path cannot wipe unrelated data.
    public func remove() async throws(LocalClusterError) {
        if FileManager.default.fileExists(atPath: self.folder.path) {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: self.folder.path)) ?? []
            let foreign = contents.filter { !Self.ownedNames.contains($0) }.sorted()
            guard foreign.isEmpty else {
                throw .fileSystem(
                    operation: "remove cluster folder",
                    path: self.folder.path,
                    reason: "it holds files the cluster did not create: \(foreign.joined(separator: ", "))"
                )
            }
            let account = try ServerAccount.forCurrentProcess()
            try await self.withLock(account: account) { () async throws(LocalClusterError) in
                try await self.stopLocked(account: account)
                if self.socketDirectoryIsShared { try Self.removeItem(URL(filePath: self.socketDirectory)) }
                // Deleting the lock file while holding it is fine: waiters notice and retry (see FileLock).
                try Self.removeItem(self.folder)
            }
        } else if self.socketDirectoryIsShared {
            try Self.removeItem(URL(filePath: self.socketDirectory))
        }
    }

    // MARK: Helpers

    /// Runs `body` holding the folder's lock, creating the folder (mode 0700, owned by the server account) first.
    private func withLock<T>(
        account: ServerAccount?, _ body: () async throws(LocalClusterError) -> T
    ) async throws(LocalClusterError) -> T {
        try await FileLock.withLock(
            named: self.lockFile.lastPathComponent,
            in: { () throws(LocalClusterError) -> ClusterEntry in
                try self.prepareFolder(account: account)
            }, body)
    }

    /// Creates the folder if needed and gives it to the server account, which writes its log and
    /// initdb's PGDATA here; returns it opened.
    private func prepareFolder(account: ServerAccount?) throws(LocalClusterError) -> ClusterEntry {
        let path = self.folder.path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .fileSystem(operation: "create cluster folder", path: path, reason: "\(error)")
        }
        // Ours when just created, else the account's already; never a link, so never someone else's directory.
        let folder = try ClusterEntry.open(path, .directory, owners: [geteuid()] + Self.serverOwners(account))
        if let account { try folder.give(to: account) }
        try folder.setMode(0o700)
        return folder
    }

    /// The folder, opened and checked to be the server account's directory (see ``prepareFolder(account:)``).
    func openFolder(account: ServerAccount?) throws(LocalClusterError) -> ClusterEntry {
        try ClusterEntry.open(self.folder.path, .directory, owners: Self.serverOwners(account))
    }

    /// PGDATA, opened below the folder and checked to be the server account's directory.
    func openData(account: ServerAccount?) throws(LocalClusterError) -> ClusterEntry {
        try self.openFolder(account: account).open("data", .directory, owners: Self.serverOwners(account))
    }

    /// Who owns what the server writes: the server account when we are root, else we ourselves.
    static func serverOwners(_ account: ServerAccount?) -> [uid_t] {
        [account?.uid ?? geteuid()]
    }

    /// A PostgreSQL program invocation, run as `account` when we are root.
    private func serverCommand(
        _ arguments: [String],
        account: ServerAccount?,
        log: URL?,
        timeout: Duration = .seconds(LocalCluster.serverTimeoutSeconds + 30)
    ) -> ClusterCommand {
        var command = arguments
        command[0] = self.program(arguments[0])
        return ClusterCommand(
            arguments: command,
            // The server account may not be able to enter our working directory (e.g. /root).
            directory: self.folder,
            timeout: timeout,
            log: log,
            account: account
        )
    }

    private static func removeItem(_ url: URL) throws(LocalClusterError) {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw .fileSystem(operation: "remove", path: url.path, reason: "\(error)")
        }
    }
}
