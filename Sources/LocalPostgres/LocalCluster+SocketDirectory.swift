import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension LocalCluster {
    /// The longest socket path we use: `sun_path` holds 108 bytes on Linux and 104 on macOS.
    static let maximumSocketPathLength = 100

    /// `<folder>/socket` when the socket path fits in `sun_path`, else `/tmp/agentpg-<8 hex digits>`,
    /// a short name that stays the same for the same folder.
    static func socketDirectory(for folder: URL) -> String {
        let inside = folder.appending(path: "socket", directoryHint: .isDirectory).path
        if "\(inside)/.s.PGSQL.\(Self.port)".utf8.count <= Self.maximumSocketPathLength {
            return inside
        }
        let hash = Self.fnv1a(folder.path)
        let hex = String(hash, radix: 16)
        return "/tmp/agentpg-\(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }

    /// Whether the socket directory lives outside the folder and needs cleaning up separately.
    var socketDirectoryIsShared: Bool {
        !self.socketDirectory.hasPrefix(self.folder.path + "/")
    }

    /// 32-bit FNV-1a: tiny, stable across runs and platforms (unlike `Hasher`), and Foundation has no SHA.
    static func fnv1a(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811c_9dc5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }

    // MARK: Preparation

    /// Creates the socket directory private to the account the server runs as.
    ///
    /// A directory under /tmp could have been planted by another user to intercept connections,
    /// so an existing one must be a real directory owned by us (or by root, which we then hand over).
    func prepareSocketDirectory(account: ServerAccount?) throws(LocalClusterError) {
        let path = self.socketDirectory
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw .fileSystem(operation: "create socket directory", path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw .fileSystem(operation: "inspect socket directory", path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw .insecureSocketDirectory(path: path, reason: "it is not a directory (or is a symbolic link)")
        }
        let owner = account?.uid ?? getuid()
        if info.st_uid != owner {
            guard let account, info.st_uid == 0 else {
                throw .insecureSocketDirectory(path: path, reason: "it belongs to uid \(info.st_uid), not \(owner)")
            }
            try account.take(path)
        }
        guard chmod(path, 0o700) == 0 else {
            throw .fileSystem(operation: "set mode 0700 on", path: path, reason: String(cString: strerror(errno)))
        }
    }
}
