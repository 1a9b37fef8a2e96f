import Synchronization

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Random 96-bit AES-GCM nonces, drawn from the OS CSPRNG 256 bytes at a time.
///
/// `AES.GCM.Nonce()` makes two `getrandom` calls per nonce, which was the
/// largest single cost of sealing. Nonces are public (they are stored in the
/// sealed value), so buffering them exposes nothing; they only must never
/// repeat. A forked child discards the buffer it inherited, so parent and child
/// never hand out the same bytes.
enum NoncePool {
    private struct Buffer: ~Copyable {
        static let capacity = 256  // getentropy's maximum per call
        var bytes = [UInt8](repeating: 0, count: capacity)
        var offset = capacity
        var generation = -1
    }

    private static let buffer = Mutex(Buffer())
    /// Bumped in every forked child, so the child refills before its first nonce.
    private static let forkGeneration = Atomic<Int>(0)
    private static let registerForkHandler: Void = {
        pthread_atfork(nil, nil) { NoncePool.forkGeneration.add(1, ordering: .relaxed) }
    }()

    /// Writes a fresh nonce into `nonce`, which must be ``SealedValue/nonceByteCount`` bytes.
    static func write(into nonce: UnsafeMutableRawBufferPointer) {
        let count = SealedValue.nonceByteCount
        precondition(nonce.count == count, "nonce buffer size")
        _ = registerForkHandler
        let generation = forkGeneration.load(ordering: .relaxed)
        buffer.withLock { buffer in
            if buffer.offset + count > Buffer.capacity || buffer.generation != generation {
                refill(&buffer.bytes)
                buffer.offset = 0
                buffer.generation = generation
            }
            defer { buffer.offset += count }
            buffer.bytes.withUnsafeBytes { bytes in
                nonce.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[buffer.offset..<buffer.offset + count]))
            }
        }
    }

    private static func refill(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            #if canImport(Darwin)
                arc4random_buf(raw.baseAddress, raw.count)
            #else
                // getentropy fails only for requests over 256 bytes or without a kernel CSPRNG.
                precondition(getentropy(raw.baseAddress, raw.count) == 0, "the OS random number generator failed")
            #endif
        }
    }
}
