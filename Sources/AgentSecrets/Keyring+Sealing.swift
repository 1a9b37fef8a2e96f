import Crypto
import Foundation

// MARK: Sealing

extension Keyring {
    /// Seals an API key with the active key, bound to `context`.
    ///
    /// - Returns: an `ak1` value (see ``SealedValue``) for `api_connections.api_key`.
    public func seal(_ plaintext: String, context: SealContext) throws(SecretError) -> String {
        let key = activeKey
        var plaintext = plaintext
        let box: AES.GCM.SealedBox
        do {
            // The cipher reads the string's own bytes and associated data built on
            // the stack: no copy or heap array before the cipher's own output.
            box = try context.withAssociatedData(keyID: activeKeyID) { associatedData in
                try plaintext.withUTF8 { utf8 in
                    try AES.GCM.seal(
                        UnsafeRawBufferPointer(utf8), using: key, nonce: NoncePool.next(), authenticating: associatedData
                    )
                }
            }
        } catch {
            throw .sealingFailed
        }
        // The default 12-byte nonce always has a combined representation.
        guard let combined = box.combined else { throw .sealingFailed }
        return combined.withUnsafeBytes { SealedValue.formatCurrent(prefix: activeValuePrefix, payload: $0) }
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
        var stored = stored
        // withUTF8 is `rethrows`, which erases the error type; carry it out in a Result.
        let opened = stored.withUTF8 { utf8 in
            Result { () throws(SecretError) -> Secret? in
                // ak1 values, the common case, are read in place; the seed format is parsed into arrays.
                guard let parts = SealedValue.currentParts(utf8) else { return nil }
                let keyID = String(decoding: parts.keyID, as: UTF8.self)
                return try Self.openCurrent(parts.payload, keyID: keyID, key: key(ifPresent: keyID), context: context)
            }
        }
        if let secret = try opened.get() { return secret }
        return try openParsed(SealedValue(parsing: stored), context: context)
    }

    /// Opens the payload text of an `ak1` value, decoded on the stack.
    ///
    /// Static, so its closures capture a few values rather than copying the
    /// keyring; `key` is nil for an id the keyring lacks, reported only once
    /// the payload proves well formed, as ``SealedValue`` parsing orders it.
    private static func openCurrent(
        _ text: UnsafeBufferPointer<UInt8>, keyID: String, key: SymmetricKey?, context: SealContext
    ) throws(SecretError) -> Secret {
        try SealedValue.decodePayload(text) { payload throws(SecretError) in
            guard let key else { throw .unknownKeyID(keyID) }
            let plaintext: Data
            do {
                let box = try AES.GCM.SealedBox(combined: payload)
                plaintext = try context.withAssociatedData(keyID: keyID) { associatedData in
                    try AES.GCM.open(box, using: key, authenticating: associatedData)
                }
            } catch {
                throw .authenticationFailed
            }
            return try secret(plaintext)
        }
    }

    /// Opens a parsed value: in practice the seed format, as `ak1` values take ``openCurrent``.
    private func openParsed(_ value: SealedValue, context: SealContext) throws(SecretError) -> Secret {
        let key = try key(value.keyID)
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
        return try Self.secret(plaintext)
    }

    /// The key with id `keyID`.
    func key(_ keyID: String) throws(SecretError) -> SymmetricKey {
        guard let key = key(ifPresent: keyID) else { throw .unknownKeyID(keyID) }
        return key
    }

    /// The key with id `keyID`, if any; the active key without a dictionary lookup.
    func key(ifPresent keyID: String) -> SymmetricKey? {
        keyID == activeKeyID ? activeKey : keys[keyID]
    }

    /// The opened bytes as a ``Secret``, if they are UTF-8.
    static func secret(_ plaintext: Data) throws(SecretError) -> Secret {
        guard let text = plaintext.withUnsafeBytes({ UTF8Text.string($0) }) else {
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
