import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: Key generation

extension Keyring {
    /// A new random 256-bit key as 64 lower-case hex characters (`agentctl keys generate`).
    public static func generateKeyHex() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Hex.encode($0) }
    }

    // MARK: Local development key

    /// Loads the key in `fileURL`, or creates one there, for a local development
    /// database that has no `ENCRYPTION_KEY`. Never for production.
    ///
    /// The file holds 64 hex characters and must be private to its owner: it is
    /// created with mode 0600 (its folder with 0700), and an existing file that
    /// group or others can access is refused. The key gets id ``localKeyID``.
    ///
    /// - Returns: the keyring and whether the key was created by this call.
    public static func loadOrCreateLocalKey(at fileURL: URL) throws(KeyringError) -> (keyring: Keyring, created: Bool) {
        let path = fileURL.path
        if let keyring = try loadLocalKey(path: path) {
            return (keyring, false)
        }
        let directory = fileURL.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw .fileAccess(path: path, reason: "cannot create its folder")
        }
        let hex = generateKeyHex()
        // Written whole under a name of its own, then linked into place: the key file never exists half
        // written (a crash between its creation and its write left an empty one, refused by every later
        // run, and a process starting at the same time read it empty). The link fails if another process
        // placed its key first; then that key is used.
        let scratch = "\(path).\(UUID().uuidString).new"
        let descriptor = createExclusively(scratch)
        guard descriptor >= 0 else { throw .fileAccess(path: path, reason: "cannot create it (errno \(errno))") }
        defer { unlink(scratch) }
        let contents = Array((hex + "\n").utf8)
        let written = contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == contents.count, synced == 0 else { throw .fileAccess(path: path, reason: "cannot write it") }
        guard link(scratch, path) == 0 else {
            if errno == EEXIST, let keyring = try loadLocalKey(path: path) {
                return (keyring, false)
            }
            throw .fileAccess(path: path, reason: "cannot create it (errno \(errno))")
        }
        syncDirectory(directory)
        let keyring = try Keyring(entries: [KeyEntry(source: path, id: localKeyID, hex: hex)], activeKeyID: nil)
        return (keyring, true)
    }

    /// The keyring from an existing key file, or nil when there is none.
    private static func loadLocalKey(path: String) throws(KeyringError) -> Keyring? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let attributes: [FileAttributeKey: Any]
        let data: Data
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .fileAccess(path: path, reason: "cannot read it")
        }
        if let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue, permissions & 0o077 != 0 {
            throw .insecureFilePermissions(path: path)
        }
        let hex = trimmed(Substring(String(decoding: data, as: UTF8.self)))
        return try Keyring(entries: [KeyEntry(source: path, id: localKeyID, hex: hex)], activeKeyID: nil)
    }
}

/// `open(2)` with `O_CREAT | O_EXCL` and mode 0600; outside the extension,
/// where `Keyring.open(_:context:)` would shadow it.
private func createExclusively(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
}

/// Makes a new name in `directory` durable (`fsync` of the directory), so that after a power loss the key
/// is there if the rows sealed with it are.
private func syncDirectory(_ directory: String) {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
}
