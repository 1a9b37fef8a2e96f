// MARK: Sealing

extension Keyring {
    /// Seals an API key with the active key, bound to `context`.
    ///
    /// - Returns: an `ak1` value (see ``SealedValue``) for `api_connections.api_key`.
    public func seal(_ plaintext: String, context: SealContext) throws(SecretError) -> String {
        let count = plaintext.utf8.count
        let nonceCount = SealedValue.nonceByteCount
        // nonce | ciphertext | tag, built on the stack: the plaintext is copied
        // into the ciphertext's place and encrypted there.
        return try withUnsafeTemporaryAllocation(
            byteCount: nonceCount + count + SealedValue.tagByteCount, alignment: 1
        ) { payload throws(SecretError) in
            let nonce = UnsafeMutableRawBufferPointer(rebasing: payload[..<nonceCount])
            let body = UnsafeMutableRawBufferPointer(rebasing: payload[nonceCount..<nonceCount + count])
            let tag = UnsafeMutableRawBufferPointer(rebasing: payload[(nonceCount + count)...])
            NoncePool.write(into: nonce)
            body.copyBytes(from: plaintext.utf8)
            try context.withAssociatedData(keyID: activeKeyID) { associatedData throws(SecretError) in
                try activeKey.seal(
                    UnsafeRawBufferPointer(body), nonce: UnsafeRawBufferPointer(nonce), associatedData: associatedData,
                    ciphertext: body, tag: tag
                )
            }
            return SealedValue.formatCurrent(prefix: activeValuePrefix, payload: UnsafeRawBufferPointer(payload))
        }
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
        _ text: UnsafeBufferPointer<UInt8>, keyID: String, key: AESGCMKey?, context: SealContext
    ) throws(SecretError) -> Secret {
        try SealedValue.decodePayload(text) { payload throws(SecretError) in
            guard let key else { throw .unknownKeyID(keyID) }
            return try openPayload(payload, keyID: keyID, key: key, context: context)
        }
    }

    /// Opens a decoded `ak1` payload: nonce | ciphertext | tag.
    private static func openPayload(
        _ payload: UnsafeRawBufferPointer, keyID: String, key: AESGCMKey, context: SealContext
    ) throws(SecretError) -> Secret {
        let nonceCount = SealedValue.nonceByteCount
        let tagStart = payload.count - SealedValue.tagByteCount
        return try context.withAssociatedData(keyID: keyID) { associatedData throws(SecretError) in
            try open(
                UnsafeRawBufferPointer(rebasing: payload[nonceCount..<tagStart]),
                nonce: UnsafeRawBufferPointer(rebasing: payload[..<nonceCount]),
                tag: UnsafeRawBufferPointer(rebasing: payload[tagStart...]),
                associatedData: associatedData, key: key
            )
        }
    }

    /// Opens into a stack buffer, which is zeroed once the secret holds its text.
    private static func open(
        _ ciphertext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer,
        associatedData: UnsafeRawBufferPointer, key: AESGCMKey
    ) throws(SecretError) -> Secret {
        try withUnsafeTemporaryAllocation(byteCount: ciphertext.count, alignment: 1) { plaintext throws(SecretError) in
            defer { plaintext.initializeMemory(as: UInt8.self, repeating: 0) }
            try key.open(ciphertext, nonce: nonce, tag: tag, associatedData: associatedData, into: plaintext)
            return try secret(UnsafeRawBufferPointer(plaintext))
        }
    }

    /// Opens a parsed value: in practice the seed format, as `ak1` values take ``openCurrent``.
    private func openParsed(_ value: SealedValue, context: SealContext) throws(SecretError) -> Secret {
        let key = try key(value.keyID)
        switch value {
        case .current(let keyID, let payload):
            return try payload.withBytes { payload throws(SecretError) in
                try Self.openPayload(payload, keyID: keyID, key: key, context: context)
            }
        case .seed(let iv, let tag, let ciphertext):
            guard acceptsSeedFormat else {
                throw .malformedValue(reason: "seed format is no longer accepted")
            }
            // The seed bound no associated data.
            return try iv.withBytes { iv throws(SecretError) in
                try tag.withBytes { tag throws(SecretError) in
                    try ciphertext.withBytes { ciphertext throws(SecretError) in
                        try Self.open(
                            ciphertext, nonce: iv, tag: tag, associatedData: UnsafeRawBufferPointer(start: nil, count: 0),
                            key: key)
                    }
                }
            }
        }
    }

    /// The key with id `keyID`.
    func key(_ keyID: String) throws(SecretError) -> AESGCMKey {
        guard let key = key(ifPresent: keyID) else { throw .unknownKeyID(keyID) }
        return key
    }

    /// The key with id `keyID`, if any; the active key without a dictionary lookup.
    func key(ifPresent keyID: String) -> AESGCMKey? {
        keyID == activeKeyID ? activeKey : keys[keyID]
    }

    /// The opened bytes as a ``Secret``, if they are UTF-8.
    static func secret(_ plaintext: UnsafeRawBufferPointer) throws(SecretError) -> Secret {
        guard let text = UTF8Text.string(plaintext) else {
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

extension [UInt8] {
    /// `withUnsafeBytes` keeping the error type, which its `rethrows` erases.
    fileprivate func withBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(SecretError) -> Result
    ) throws(SecretError) -> Result {
        try withUnsafeBytes { bytes in Swift.Result { () throws(SecretError) in try body(bytes) } }.get()
    }
}
