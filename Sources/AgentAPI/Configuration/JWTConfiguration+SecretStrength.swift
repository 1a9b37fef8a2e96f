import Foundation

extension JWTConfiguration {
    /// The fewest bytes an HS256 secret may have: RFC 7518 (3.2) asks for a key at least as long as the
    /// hash output.
    public static let minimumSecretBytes = 32

    /// The least information, in bits, that an HS256 secret must carry by ``estimatedSecretBits(_:)``.
    ///
    /// Low enough that random secrets of any usual encoding pass every time (32 random hex digits, the
    /// weakest, estimate at about 115 bits, and at 88 the lowest of 200,000 draws), high enough that a long
    /// secret of one or two symbols (`aaaa…ab`) is refused.
    static let minimumSecretBits = 72.0

    /// What makes `secret` too weak to sign HS256 tokens with, or nil when it is strong enough.
    ///
    /// Length alone lets through a secret anyone could guess: `changemechangemechangemechangeme` is 32
    /// bytes. The reason never quotes the secret, so that it can be shown in a configuration error.
    public static func secretWeakness(_ secret: String) -> String? {
        let bytes = Array(secret.utf8)
        if bytes.count < minimumSecretBytes {
            return "must be at least \(minimumSecretBytes) bytes"
        }
        if let period = shortestPeriod(bytes), period <= bytes.count / 2 {
            return "must not repeat a shorter pattern (use random bytes, e.g. `openssl rand -base64 32`)"
        }
        if estimatedSecretBits(bytes) < minimumSecretBits {
            return "has too few distinct characters to be hard to guess (use random bytes, e.g. `openssl rand -base64 32`)"
        }
        return nil
    }

    /// The length of the shortest unit that `bytes` repeats (the last repetition may be cut short), or nil
    /// when it repeats none.
    static func shortestPeriod(_ bytes: [UInt8]) -> Int? {
        guard bytes.count > 1 else { return nil }
        // The longest proper prefix that is also a suffix (the prefix function of Knuth, Morris and Pratt)
        // gives the period in one pass.
        var border = [Int](repeating: 0, count: bytes.count)
        var length = 0
        for index in 1..<bytes.count {
            while length > 0, bytes[index] != bytes[length] { length = border[length - 1] }
            if bytes[index] == bytes[length] { length += 1 }
            border[index] = length
        }
        let period = bytes.count - border[bytes.count - 1]
        return period < bytes.count ? period : nil
    }

    /// The secret's length times the entropy of its byte frequencies: a rough estimate of what it holds,
    /// far below its length in bits when a few bytes dominate.
    static func estimatedSecretBits(_ bytes: [UInt8]) -> Double {
        var counts = [UInt8: Int]()
        for byte in bytes { counts[byte, default: 0] += 1 }
        let total = Double(bytes.count)
        let perByte = counts.values.reduce(0.0) { sum, count in
            let share = Double(count) / total
            return sum - share * log2(share)
        }
        return perByte * total
    }
}
