/// Where a sealed API key lives: its tenant and its `api_connections` row.
///
/// The context is authenticated (not encrypted) with every `ak1` value, so a
/// ciphertext copied to another row or tenant fails to open even though the
/// same key encrypted it.
public struct SealContext: Sendable, Hashable {
    public var tenantID: String
    public var connectionID: String

    public init(tenantID: String, connectionID: String) {
        self.tenantID = tenantID
        self.connectionID = connectionID
    }

    // MARK: Associated data

    /// Lends the AES-GCM associated data to `body` from a temporary buffer (on
    /// the stack for ordinary ids), sparing every seal and open a heap array:
    /// format version, key id, tenant id, connection id, each as a 4-byte
    /// big-endian length followed by its UTF-8 bytes.
    ///
    /// Length prefixes keep the encoding unambiguous (`("ab","c")` differs from
    /// `("a","bc")`); the version stops a future format from reinterpreting an
    /// old ciphertext; the key id stops a value being relabelled.
    func withAssociatedData<Result, Failure: Error>(
        keyID: String, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let version = SealedValue.currentVersion
        let count = 16 + version.utf8.count + keyID.utf8.count + tenantID.utf8.count + connectionID.utf8.count
        return try withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { buffer throws(Failure) in
            var offset = 0
            Self.append(version, to: buffer, at: &offset)
            Self.append(keyID, to: buffer, at: &offset)
            Self.append(tenantID, to: buffer, at: &offset)
            Self.append(connectionID, to: buffer, at: &offset)
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// Writes `field` at `offset` as a 4-byte big-endian length and its UTF-8 bytes.
    private static func append(_ field: String, to buffer: UnsafeMutableRawBufferPointer, at offset: inout Int) {
        let utf8 = field.utf8
        buffer.storeBytes(of: UInt32(utf8.count).bigEndian, toByteOffset: offset, as: UInt32.self)
        let start = offset + 4
        // Native strings lend their bytes without a copy of the string; others go byte by byte.
        let copied: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            UnsafeMutableRawBufferPointer(rebasing: buffer[start...]).copyMemory(from: UnsafeRawBufferPointer(bytes))
        }
        if copied == nil {
            for (index, byte) in utf8.enumerated() { buffer[start + index] = byte }
        }
        offset = start + utf8.count
    }
}
