import Crypto

#if canImport(CCryptoBoringSSL)
    // swift-crypto builds BoringSSL on Linux but does not export it as a product.
    // Its `AES.GCM` sets up a cipher context (key schedule, GHASH tables) and three
    // heap buffers on every call: about two thirds of the cost of sealing a short
    // key. The module is visible to every target that depends on `Crypto`, so this
    // file calls BoringSSL's AEAD API on the same copy, with one context per key.
    // Where swift-crypto uses CryptoKit instead (Apple platforms), `AES.GCM` does
    // the work. `AESGCMKeyTests` checks both directions against `AES.GCM`.
    import CCryptoBoringSSL
#endif

/// An AES-256-GCM key, prepared once and shared by every seal and open.
///
/// Works on caller-provided buffers, so sealing and opening allocate nothing.
/// Any nonce length BoringSSL's GCM takes is accepted: 12 bytes for `ak1`,
/// 16 for the seed's values.
final class AESGCMKey: @unchecked Sendable {
    /// Bytes of the authentication tag.
    static let tagByteCount = 16

    #if canImport(CCryptoBoringSSL)
        /// What does the work, for benchmark reports.
        static let backend = "BoringSSL"

        /// Read-only after `init`; BoringSSL documents seal and open as safe to
        /// call concurrently on one context, hence `@unchecked Sendable`.
        private let context: UnsafeMutablePointer<EVP_AEAD_CTX>

        /// Prepares `key`, which must be 32 bytes.
        init(_ key: SymmetricKey) {
            precondition(key.bitCount == 256, "AESGCMKey takes 256-bit keys")
            let context = key.withUnsafeBytes { bytes in
                CCryptoBoringSSL_EVP_AEAD_CTX_new(
                    CCryptoBoringSSL_EVP_aead_aes_256_gcm(),
                    bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, Self.tagByteCount
                )
            }
            // Fails only when out of memory, given a valid key length.
            self.context = context!
        }

        deinit {
            // OPENSSL_free zeroes the context, key schedule included, as it frees it.
            CCryptoBoringSSL_EVP_AEAD_CTX_free(context)
        }
    #else
        /// What does the work, for benchmark reports.
        static let backend = "swift-crypto AES.GCM"

        private let key: SymmetricKey

        /// Prepares `key`, which must be 32 bytes.
        init(_ key: SymmetricKey) {
            precondition(key.bitCount == 256, "AESGCMKey takes 256-bit keys")
            self.key = key
        }
    #endif
}

// MARK: Sealing and opening

extension AESGCMKey {
    /// Encrypts `plaintext` into `ciphertext` (the same length, or the very same
    /// memory, encrypted in place) and writes the tag into `tag`, authenticating
    /// `associatedData` as well.
    func seal(
        _ plaintext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer,
        ciphertext: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws(SecretError) {
        precondition(ciphertext.count == plaintext.count && tag.count == Self.tagByteCount, "output sizes")
        #if canImport(CCryptoBoringSSL)
            var tagCount = 0
            let sealed = CCryptoBoringSSL_EVP_AEAD_CTX_seal_scatter(
                context, ciphertext.bytes, tag.bytes, &tagCount, tag.count, nonce.bytes, nonce.count,
                plaintext.bytes, plaintext.count, nil, 0, associatedData.bytes, associatedData.count
            )
            guard sealed == 1, tagCount == Self.tagByteCount else {
                // When sealing in place, what is left there may be plaintext.
                ciphertext.initializeMemory(as: UInt8.self, repeating: 0)
                throw Self.failure(.sealingFailed)
            }
        #else
            do {
                let box = try AES.GCM.seal(
                    plaintext, using: key, nonce: AES.GCM.Nonce(data: nonce), authenticating: associatedData)
                box.ciphertext.withUnsafeBytes { ciphertext.copyMemory(from: $0) }
                box.tag.withUnsafeBytes { tag.copyMemory(from: $0) }
            } catch {
                throw .sealingFailed
            }
        #endif
    }

    /// Decrypts `ciphertext` into `plaintext` (the same length) if `tag`
    /// authenticates it with `associatedData`.
    ///
    /// - Throws: ``SecretError/authenticationFailed`` for a wrong key, nonce,
    ///   tag, associated data or altered ciphertext; `plaintext` is then zeroed.
    func open(
        _ ciphertext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer,
        associatedData: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer
    ) throws(SecretError) {
        precondition(plaintext.count == ciphertext.count, "output size")
        #if canImport(CCryptoBoringSSL)
            let opened = CCryptoBoringSSL_EVP_AEAD_CTX_open_gather(
                context, plaintext.bytes, nonce.bytes, nonce.count, ciphertext.bytes, ciphertext.count,
                tag.bytes, tag.count, associatedData.bytes, associatedData.count
            )
            guard opened == 1 else {
                plaintext.initializeMemory(as: UInt8.self, repeating: 0)
                throw Self.failure(.authenticationFailed)
            }
        #else
            do {
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                let opened = try AES.GCM.open(box, using: key, authenticating: associatedData)
                opened.withUnsafeBytes { plaintext.copyMemory(from: $0) }
            } catch {
                throw .authenticationFailed
            }
        #endif
    }

    #if canImport(CCryptoBoringSSL)
        /// `error`, after dropping what BoringSSL queued on this thread for it.
        private static func failure(_ error: SecretError) -> SecretError {
            CCryptoBoringSSL_ERR_clear_error()
            return error
        }
    #endif
}

#if canImport(CCryptoBoringSSL)
    extension UnsafeRawBufferPointer {
        /// The start as BoringSSL's `const uint8_t *`; nil for an empty buffer, as it allows.
        fileprivate var bytes: UnsafePointer<UInt8>? { baseAddress?.assumingMemoryBound(to: UInt8.self) }
    }

    extension UnsafeMutableRawBufferPointer {
        /// The start as BoringSSL's `uint8_t *`.
        fileprivate var bytes: UnsafeMutablePointer<UInt8>? { baseAddress?.assumingMemoryBound(to: UInt8.self) }
    }
#endif
