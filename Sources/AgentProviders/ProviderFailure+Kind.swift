import AgentSecrets

// MARK: Sanitizing what a provider names

extension ProviderFailure {
    /// The kind used when a provider's error names none that can be kept.
    public static let unknownKind = "unknown"

    /// A provider's error type or code if it looks like an identifier (ASCII letters, digits, `_`, `-`,
    /// `.`, at most 40 characters, longer than any provider's kind), ``unknownKind`` otherwise: anything
    /// else might be prose or a secret. (A kind that repeats the call's key is forgotten by `redacting(_:)`.)
    static func sanitizedKind(_ raw: String) -> String {
        let allowed = raw.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
        return allowed && !raw.isEmpty && raw.utf8.count <= 40 ? raw : unknownKind
    }

    /// A provider error from the first usable of several candidate kinds (say, `type` then `code`).
    static func reported(kinds: String?...) -> ProviderFailure {
        let kind = kinds.lazy.compactMap { $0 }.map(sanitizedKind).first { $0 != unknownKind }
        return .provider(kind: kind ?? unknownKind)
    }
}

// MARK: Keys echoed back

extension ProviderFailure {
    /// This failure, its kind forgotten if it repeats the call's key (see ``echoes(_:of:)``): a server that
    /// echoes the key in its error's type or code (an identifier-like key of 40 characters or fewer passes
    /// ``sanitizedKind(_:)``) would otherwise show it to the platform's client.
    func redacting(_ key: Secret) -> ProviderFailure {
        guard case .provider(let kind) = self, Self.echoes(kind, of: key) else { return self }
        return .provider(kind: Self.unknownKind)
    }

    /// Whether `word`, a provider's, holds any eight characters in a row of the call's key, its ASCII letters
    /// in either case (a server that upper-cases what it echoes still echoes it). Byte by byte: `lowercased()`
    /// can shorten a string (a Kelvin sign's three bytes become "k"), and a key of them trapped the process.
    static func echoes(_ word: String, of key: Secret) -> Bool {
        let run = Self.echoedRun
        let secret = key.exposedValue.utf8.map(Self.asciiLowercased)
        let named = word.utf8.map(Self.asciiLowercased)
        guard named.count >= run, secret.count >= run else { return false }
        let runs = Set((0...(secret.count - run)).map { secret[$0..<$0 + run] })
        return (0...(named.count - run)).contains { runs.contains(named[$0..<$0 + run]) }
    }

    private static let echoedRun = 8

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

// MARK: Another key

extension ProviderFailure {
    /// Whether another connection may do better when this failure came before the reply's first text: the
    /// provider took the call and then could not answer it (an overload or server error in the stream, a
    /// lost connection, silence), as a 5xx says before the response. A refusal of the prompt would repeat.
    public var allowsFallback: Bool {
        switch self {
        case .provider(let kind):
            let named = kind.lowercased()
            return Self.passingKinds.contains { named.contains($0) }
        case .connectionLost, .timedOut:
            return true
        case .protocolViolation, .contextLengthExceeded:
            return false
        }
    }

    /// Words of the error kinds that say the provider, not the request, failed (Anthropic's
    /// `overloaded_error` and `api_error`, OpenAI's `server_error`, rate limits, ...).
    private static let passingKinds = [
        "overloaded", "server_error", "api_error", "rate_limit", "unavailable", "timeout", "internal",
    ]
}
