import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on a file, serialising cluster operations across processes.
///
/// `flock` locks belong to the open file description, so two threads of one process that each
/// open the file exclude each other too, and the kernel releases the lock if the holder dies.
enum FileLock {
    /// How often a waiter tries again; polling keeps the waiting task from blocking a thread.
    static let retryInterval: Duration = .milliseconds(20)
    /// How long a waiter waits for the holder: longer than any cluster operation may take (a first start
    /// runs the traversal check, initdb and `pg_ctl`, each within its own deadline: 35 + 305 + 95 s at
    /// worst), short enough that a holder stuck for good (a suspended `agentctl`) is reported.
    static let patience: Duration = .seconds(480)

    /// Runs `body` while holding an exclusive lock on the file `name` of the directory `folder` opens,
    /// creating the file if needed.
    ///
    /// `folder` runs before every attempt to open the file; it recreates the directory, which a
    /// concurrent ``LocalCluster/remove()`` may have deleted while we waited. The file is opened below it
    /// without following a link (the directory may belong to the server account, which could plant
    /// one to make us create or open a file elsewhere) and must be a regular file of ours.
    static func withLock<T>(
        named name: String,
        in folder: () throws(LocalClusterError) -> ClusterEntry,
        patience: Duration = Self.patience,
        _ body: () async throws(LocalClusterError) -> T
    ) async throws(LocalClusterError) -> T {
        let lock = try await self.acquire(name, in: folder, patience: patience)
        do {
            let result = try await body()
            lock.release()  // closing the descriptor releases the lock
            return result
        } catch {
            lock.release()
            throw error
        }
    }

    private static func acquire(
        _ name: String, in folder: () throws(LocalClusterError) -> ClusterEntry, patience: Duration
    ) async throws(LocalClusterError) -> ClusterEntry {
        let deadline = ContinuousClock.now + patience
        while true {
            let directory = try folder()
            // O_CLOEXEC (ClusterEntry's): the postmaster we spawn must not inherit the lock and hold it forever.
            let lock = try directory.open(name, .regularFile, owners: [geteuid()], flags: O_RDWR | O_CREAT)
            while flock(lock.descriptor, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    throw .fileSystem(operation: "lock", path: lock.path, reason: String(cString: strerror(errno)))
                }
                guard ContinuousClock.now < deadline else {
                    throw .fileSystem(
                        operation: "lock", path: lock.path,
                        reason: "another process has held it for \(patience) (a suspended or stuck agentctl?)")
                }
                do {
                    try await Task.sleep(for: self.retryInterval)
                } catch {
                    throw .fileSystem(operation: "lock", path: lock.path, reason: "cancelled while waiting for another process")
                }
            }
            // If the file was deleted (or replaced) while we waited, our lock guards nothing: start over.
            if let held = try? lock.status(), let current = directory.entryStatus(name),
                held.st_dev == current.st_dev, held.st_ino == current.st_ino
            {
                return lock
            }
        }
    }
}
