import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file or directory of the cluster, opened through a descriptor: never through a symbolic link, and
/// kept only when it is the kind of entry, with the owner, that the cluster expects.
///
/// As root the platform works in folders the server account owns and can change, so whatever it did
/// there by path (read, write, `chown`, `chmod`) a link planted by that account could send to a file
/// elsewhere: the encryption key read into a file the account owns, or any file given away. Through
/// the descriptor, what was checked is what is read or changed; names are looked up one at a time
/// below a directory already checked, with `O_NOFOLLOW`.
struct ClusterEntry: ~Copyable {
    /// What an entry must be.
    enum Kind {
        case directory
        case regularFile
    }

    let descriptor: Int32
    /// For errors only.
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(self.descriptor) }

    /// Closes the entry now (releasing a `flock` held on it) rather than at the end of the scope.
    consuming func release() {}

    // MARK: Opening

    /// Opens `path` (its last component not followed if a link), checked to be `kind` owned by one of `owners`.
    static func open(
        _ path: String, _ kind: Kind, owners: [uid_t], flags: Int32 = O_RDONLY
    ) throws(LocalClusterError) -> ClusterEntry {
        try self.opened(path: path, kind: kind, owners: owners) { openPath(path, Self.flags(kind, flags)) }
    }

    /// Opens `name` in this directory, checked like ``open(_:_:owners:flags:)``.
    func open(_ name: String, _ kind: Kind, owners: [uid_t], flags: Int32 = O_RDONLY) throws(LocalClusterError)
        -> ClusterEntry
    {
        let descriptor = self.descriptor
        return try Self.opened(path: self.child(name), kind: kind, owners: owners) {
            openat(descriptor, name, Self.flags(kind, flags), 0o600)
        }
    }

    /// `fstatat` of `name` in this directory, a link itself rather than what it points to; nil when absent.
    func entryStatus(_ name: String) -> stat? {
        var info = stat()
        return fstatat(self.descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
    }

    /// Opens without following a link; never blocks on a FIFO planted in a file's place.
    private static func flags(_ kind: Kind, _ flags: Int32) -> Int32 {
        let common = flags | O_NOFOLLOW | O_CLOEXEC
        switch kind {
        case .directory: return common | O_DIRECTORY
        case .regularFile: return common | O_NONBLOCK
        }
    }

    private static func opened(
        path: String, kind: Kind, owners: [uid_t], _ open: () -> Int32
    ) throws(LocalClusterError) -> ClusterEntry {
        let descriptor = open()
        guard descriptor >= 0 else {
            let error = errno
            switch error {
            case ELOOP: throw .untrustedFile(path: path, reason: "it is a symbolic link")
            case ENOTDIR where kind == .directory: throw .untrustedFile(path: path, reason: "it is not a directory")
            default: throw .fileSystem(operation: "open", path: path, reason: String(cString: strerror(error)))
            }
        }
        let entry = ClusterEntry(descriptor: descriptor, path: path)
        try entry.check(kind, owners: owners)
        return entry
    }

    // MARK: Checking

    /// Throws unless the entry is `kind`, owned by one of `owners`, and (a file) has no other name: a
    /// hard link to someone else's file would pass for one of the cluster's.
    func check(_ kind: Kind, owners: [uid_t]) throws(LocalClusterError) {
        let info = try self.status()
        switch kind {
        case .directory:
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw .untrustedFile(path: self.path, reason: "it is not a directory")
            }
        case .regularFile:
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw .untrustedFile(path: self.path, reason: "it is not a regular file")
            }
            guard info.st_nlink == 1 else {
                throw .untrustedFile(path: self.path, reason: "it has \(info.st_nlink) names (hard links)")
            }
        }
        guard owners.contains(info.st_uid) else {
            let expected = owners.map { "uid \($0)" }.joined(separator: " or ")
            throw .untrustedFile(path: self.path, reason: "it belongs to uid \(info.st_uid), not \(expected)")
        }
    }

    /// `fstat` of the entry.
    func status() throws(LocalClusterError) -> stat {
        var info = stat()
        guard fstat(self.descriptor, &info) == 0 else {
            throw .fileSystem(operation: "inspect", path: self.path, reason: String(cString: strerror(errno)))
        }
        return info
    }

    // MARK: Changing

    /// Gives the entry to `account` (`fchown`), unless it has it already.
    func give(to account: ServerAccount) throws(LocalClusterError) {
        let info = try self.status()
        guard info.st_uid != account.uid || info.st_gid != account.gid else { return }
        guard fchown(self.descriptor, account.uid, account.gid) == 0 else {
            throw .fileSystem(
                operation: "change owner to \(account.name) of", path: self.path, reason: String(cString: strerror(errno)))
        }
    }

    /// Sets the entry's permission bits (`fchmod`).
    func setMode(_ mode: mode_t) throws(LocalClusterError) {
        guard fchmod(self.descriptor, mode) == 0 else {
            throw .fileSystem(
                operation: "set mode \(String(mode, radix: 8)) on", path: self.path, reason: String(cString: strerror(errno)))
        }
    }

    // MARK: Files

    /// The whole file, read through the descriptor from its start.
    func contents() throws(LocalClusterError) -> Data {
        try self.read(from: 0)
    }

    /// The file's first `bytes` bytes at most.
    func head(bytes: Int) throws(LocalClusterError) -> Data {
        try self.read(from: 0, upTo: bytes)
    }

    /// The file's last `bytes` bytes at most.
    func tail(bytes: Int) throws(LocalClusterError) -> Data {
        let size = try self.status().st_size
        return try self.read(from: max(0, size - off_t(bytes)))
    }

    private func read(from start: off_t, upTo limit: Int = .max) throws(LocalClusterError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var offset = start
        let descriptor = self.descriptor
        while data.count < limit {
            let wanted = min(buffer.count, limit - data.count)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, offset) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                throw .fileSystem(operation: "read", path: self.path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[..<count])
            offset += off_t(count)
        }
        return data
    }

    // MARK: Directories

    /// Creates directory `name` here with `mode` unless something has that name already.
    func makeDirectory(_ name: String, mode: mode_t) throws(LocalClusterError) {
        guard mkdirat(self.descriptor, name, mode) == 0 || errno == EEXIST else {
            throw .fileSystem(operation: "create directory", path: self.child(name), reason: String(cString: strerror(errno)))
        }
    }

    /// Replaces file `name` here, whatever it was (a link is replaced, not followed), with `contents`:
    /// written to a new file of ours, given `mode` and `account`, then renamed over `name`, so the
    /// server never reads half a file.
    func replaceFile(_ name: String, with contents: Data, mode: mode_t, account: ServerAccount?) throws(LocalClusterError) {
        let scratch = ".\(name).localpostgres"
        // A leftover of an interrupted write, or anything planted under that name: unlinked, not followed.
        guard unlinkat(self.descriptor, scratch, 0) == 0 || errno == ENOENT else {
            throw .fileSystem(operation: "remove", path: self.child(scratch), reason: String(cString: strerror(errno)))
        }
        let file = try self.createFile(scratch, mode: mode)
        try file.write(contents)
        try file.setMode(mode)
        if let account { try file.give(to: account) }
        guard renameat(self.descriptor, scratch, self.descriptor, name) == 0 else {
            throw .fileSystem(operation: "rename into place", path: self.child(name), reason: String(cString: strerror(errno)))
        }
    }

    /// Creates `name`, which must not exist (`O_EXCL`: an existing entry or link is an error, never followed).
    func createFile(_ name: String, mode: mode_t) throws(LocalClusterError) -> ClusterEntry {
        let descriptor = openat(self.descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw .fileSystem(operation: "create", path: self.child(name), reason: String(cString: strerror(errno)))
        }
        return ClusterEntry(descriptor: descriptor, path: self.child(name))
    }

    /// Writes all of `contents` at the file's current offset.
    func write(_ contents: Data) throws(LocalClusterError) {
        var written = 0
        let descriptor = self.descriptor
        while written < contents.count {
            let count = contents.withUnsafeBytes { bytes in
                writeBytes(descriptor, bytes.baseAddress! + written, bytes.count - written)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw .fileSystem(operation: "write", path: self.path, reason: String(cString: strerror(errno)))
            }
            written += count
        }
    }

    /// Removes `name` here (a link itself, never what it points to); nothing when absent.
    func remove(_ name: String) throws(LocalClusterError) {
        guard unlinkat(self.descriptor, name, 0) == 0 || errno == ENOENT else {
            throw .fileSystem(operation: "remove", path: self.child(name), reason: String(cString: strerror(errno)))
        }
    }

    private func child(_ name: String) -> String { "\(self.path)/\(name)" }
}

// The C library's, which the methods of the same names hide inside the type.
private func openPath(_ path: String, _ flags: Int32) -> Int32 { open(path, flags, 0o600) }
private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(descriptor, bytes, count) }
