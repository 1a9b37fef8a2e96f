extension KeyedDecodingContainer {
    /// A field of a partial update: `nil` when absent, `.some(nil)` when `null`, else the value.
    func decodePatch<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value?? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) { return .some(nil) }
        return .some(try decode(type, forKey: key))
    }

    /// A field of a partial update that cannot be cleared: absent is `nil`, `null` is refused as a `null`
    /// anywhere else is (a 400 naming the field, with the body's other faults).
    func decodeRequiredPatch<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        guard let value = try decodePatch(type, forKey: key) else { return nil }
        guard let value else {
            throw DecodingError.valueNotFound(
                Value.self, DecodingError.Context(codingPath: codingPath + [key], debugDescription: "null"))
        }
        return value
    }
}
