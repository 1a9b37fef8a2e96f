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

    /// AES-GCM associated data: format version, key id, tenant id, connection id,
    /// each as a 4-byte big-endian length followed by its UTF-8 bytes.
    ///
    /// Length prefixes keep the encoding unambiguous (`("ab","c")` differs from
    /// `("a","bc")`); the version stops a future format from reinterpreting an
    /// old ciphertext; the key id stops a value being relabelled.
    func associatedData(keyID: String) -> [UInt8] {
        var version = SealedValue.currentVersion, keyID = keyID, tenantID = tenantID, connectionID = connectionID
        let count = 16 + version.utf8.count + keyID.utf8.count + tenantID.utf8.count + connectionID.utf8.count
        return [UInt8](unsafeUninitializedCapacity: count) { bytes, initialized in
            var offset = 0
            func append(_ field: inout String) {
                field.withUTF8 { utf8 in
                    let length = UInt32(utf8.count)
                    bytes[offset] = UInt8(truncatingIfNeeded: length >> 24)
                    bytes[offset + 1] = UInt8(truncatingIfNeeded: length >> 16)
                    bytes[offset + 2] = UInt8(truncatingIfNeeded: length >> 8)
                    bytes[offset + 3] = UInt8(truncatingIfNeeded: length)
                    _ = UnsafeMutableBufferPointer(rebasing: bytes[(offset + 4)...]).initialize(fromContentsOf: utf8)
                    offset += 4 + utf8.count
                }
            }
            append(&version)
            append(&keyID)
            append(&tenantID)
            append(&connectionID)
            initialized = offset
        }
    }
}
