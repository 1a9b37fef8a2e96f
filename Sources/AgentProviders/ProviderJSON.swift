import Foundation

/// Decoding of providers' JSON payloads, every failure mapped to ``ProtocolViolation/malformedJSON``.
enum ProviderJSON {
    static func decode<Payload: Decodable>(_ type: Payload.Type, from text: some StringProtocol) throws(ProviderFailure)
        -> Payload
    {
        try decode(type, from: Data(text.utf8))
    }

    static func decode<Payload: Decodable>(_ type: Payload.Type, from data: Data) throws(ProviderFailure) -> Payload {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            // The decoder's message quotes the payload; it is not kept.
            throw .protocolViolation(.malformedJSON)
        }
    }

    /// Request bodies: stable key order, so bodies are comparable and cacheable.
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
