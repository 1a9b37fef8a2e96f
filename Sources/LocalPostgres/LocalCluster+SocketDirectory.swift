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
    /// A directory under /tmp could have been planted by another user to intercept connections, and one
    /// in the folder by the server account, so an existing one must be a real directory (never a link)
    /// owned by the server's account (or by us, who then hand it over); the owner and mode are changed
    /// through the descriptor checked, never by path.
    func prepareSocketDirectory(account: ServerAccount?) throws(LocalClusterError) {
        let owners = Self.serverOwners(account) + (account == nil ? [] : [geteuid()])
        let directory: ClusterEntry
        if self.socketDirectoryIsShared {
            let path = self.socketDirectory
            if mkdir(path, 0o700) != 0, errno != EEXIST {
                throw .fileSystem(operation: "create socket directory", path: path, reason: String(cString: strerror(errno)))
            }
            directory = try ClusterEntry.open(path, .directory, owners: owners)
        } else {
            let folder = try self.openFolder(account: account)
            let name = URL(filePath: self.socketDirectory).lastPathComponent
            try folder.makeDirectory(name, mode: 0o700)
            directory = try folder.open(name, .directory, owners: owners)
        }
        if let account { try directory.give(to: account) }
        try directory.setMode(0o700)
    }
}
