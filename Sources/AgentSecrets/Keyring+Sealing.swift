import Crypto
import Foundation

// MARK: Sealing

extension Keyring {
    /// Seals an API key with the active key, bound to `context`.
    ///
    /// - Returns: an `ak1` value (see ``SealedValue``) for `api_connections.api_key`.
    public func seal(_ plaintext: String, context: SealContext) throws(SecretError) -> String {
        let key = activeKey
        let associatedData = context.associatedData(keyID: activeKeyID)
        var plaintext = plaintext
        let box: AES.GCM.SealedBox
        do {
            // withUTF8 hands the string's own bytes to the cipher, without a copy.
            box = try plaintext.withUTF8 { utf8 in
                try AES.GCM.seal(
                    UnsafeRawBufferPointer(utf8), using: key, nonce: NoncePool.next(), authenticating: associatedData
                )
            }
        } catch {
            throw .sealingFailed
        }
        // The default 12-byte nonce always has a combined representation.
        guard let combined = box.combined else { throw .sealingFailed }
        return combined.withUnsafeBytes { SealedValue.formatCurrent(keyID: activeKeyID, payload: $0) }
    }

    /// Seals an already opened secret, e.g. one opened from an older key.
    public func seal(_ secret: Secret, context: SealContext) throws(SecretError) -> String {
        try seal(secret.exposedValue, context: context)
    }

    // MARK: Opening

    /// Opens a stored value sealed for `context`, in the `ak1` or the seed format.
    ///
    /// Seed-format values carry no context; they open for any row (while
    /// ``acceptsSeedFormat`` is on) and should be re-sealed at once.
    public func open(_ stored: String, context: SealContext) throws(SecretError) -> Secret {
        let value = try SealedValue(parsing: stored)
        guard let key = keys[value.keyID] else { throw .unknownKeyID(value.keyID) }
        let plaintext: Data
        do {
            switch value {
            case .current(let keyID, let payload):
                let box = try AES.GCM.SealedBox(combined: payload)
                plaintext = try AES.GCM.open(box, using: key, authenticating: context.associatedData(keyID: keyID))
            case .seed(let iv, let tag, let ciphertext):
                guard acceptsSeedFormat else {
                    throw SecretError.malformedValue(reason: "seed format is no longer accepted")
                }
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
                plaintext = try AES.GCM.open(box, using: key)
            }
        } catch let error as SecretError {
            throw error
        } catch {
            throw .authenticationFailed
        }
        let text = plaintext.withUnsafeBytes { String(validating: $0.assumingMemoryBound(to: UInt8.self), as: UTF8.self) }
        guard let text else {
            throw .malformedValue(reason: "plaintext is not UTF-8")
        }
        return Secret(text)
    }

    /// Opens a stored value and seals it again with the active key, in the `ak1` format.
    public func reseal(_ stored: String, context: SealContext) throws(SecretError) -> String {
        try seal(open(stored, context: context), context: context)
    }

    // MARK: Inspection

    /// Whether `stored` should be re-sealed: it is in the seed format, names a
    /// key other than the active one, or is not a recognisable `ak1` value
    /// (opening it will then say why).
    public func needsResealing(_ stored: String) -> Bool {
        SealedValue.currentKeyID(stored) != activeKeyID
    }

    /// The id of the key that opens `stored` (``seedKeyID`` for seed-format
    /// values), or nil when the value is malformed. Does not check the keyring.
    public func keyID(of stored: String) -> String? {
        try? SealedValue(parsing: stored).keyID
    }
}
