/// Ways to cut one recorded body into chunks, as a network might deliver it.
enum Chunking {
    /// The body whole, split in two at every byte boundary, and one byte at a time.
    static func everySplit(of bytes: [UInt8]) -> [[[UInt8]]] {
        var ways: [[[UInt8]]] = [[bytes]]
        for cut in 0...bytes.count {
            ways.append([Array(bytes[..<cut]), Array(bytes[cut...])])
        }
        ways.append(bytes.map { [$0] })
        return ways
    }

    /// Also `count` cuts into many pieces of random sizes (1 to 40 bytes), the same on every run.
    static func everySplit(of text: String, randomCuts count: Int = 100) -> [[[UInt8]]] {
        let bytes = Array(text.utf8)
        var generator = SplitMix64(seed: UInt64(bytes.count))
        var ways = everySplit(of: bytes)
        for _ in 0..<count {
            var chunks: [[UInt8]] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...40, using: &generator))
                chunks.append(Array(bytes[start..<end]))
                start = end
            }
            ways.append(chunks)
        }
        return ways
    }
}

/// A small seeded generator, so a failing cut can be found again.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
