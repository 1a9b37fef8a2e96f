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

    /// Runs `body` while holding an exclusive lock on `path`, creating the file if needed.
    ///
    /// `prepare` runs before every attempt to open the file; it recreates the parent directory,
    /// which a concurrent ``LocalCluster/remove()`` may have deleted while we waited.
    static func withLock<T>(
        at path: String,
        prepare: () throws(LocalClusterError) -> Void,
        _ body: () async throws(LocalClusterError) -> T
    ) async throws(LocalClusterError) -> T {
        let descriptor = try await self.acquire(path, prepare: prepare)
        defer { close(descriptor) }  // closing the descriptor releases the lock
        return try await body()
    }

    private static func acquire(_ path: String, prepare: () throws(LocalClusterError) -> Void) async throws(LocalClusterError)
        -> Int32
    {
        while true {
            try prepare()
            // O_CLOEXEC: the postmaster we spawn must not inherit the descriptor and hold the lock forever.
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw .fileSystem(operation: "open lock file", path: path, reason: String(cString: strerror(errno)))
            }
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    let reason = String(cString: strerror(errno))
                    close(descriptor)
                    throw .fileSystem(operation: "lock", path: path, reason: reason)
                }
                do {
                    try await Task.sleep(for: self.retryInterval)
                } catch {
                    close(descriptor)
                    throw .fileSystem(operation: "lock", path: path, reason: "cancelled while waiting for another process")
                }
            }
            // If the file was deleted (or replaced) while we waited, our lock guards nothing: start over.
            var held = stat()
            var current = stat()
            if fstat(descriptor, &held) == 0, stat(path, &current) == 0,
                held.st_dev == current.st_dev, held.st_ino == current.st_ino
            {
                return descriptor
            }
            close(descriptor)
        }
    }
}
