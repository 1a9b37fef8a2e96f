/// The `Encoder` that `encode(to:)` receives from ``JSONStreamWriter``.
///
/// Coding paths are not tracked (they are only read by error messages, and the API's bodies cannot
/// fail to encode except for a non-finite number).
struct JSONStreamValueEncoder: Encoder {
    let writer: JSONStreamWriter
    /// How many containers were open when this value began.
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(writer: JSONStreamWriter) {
        self.writer = writer
        self.depth = writer.depth
    }

    /// The value's object; a second request continues the first one, as `JSONEncoder` merges them, so a
    /// body can encode another value's members into its own (`IssuedTokenBody`, `FeedbackListBody`).
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object = writer.reopenObject(atDepth: depth + 1) ?? writer.openContainer(isObject: true)
        return KeyedEncodingContainer(JSONStreamObject(writer: writer, depth: object))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        JSONStreamArray(writer: writer, depth: writer.openContainer(isObject: false))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONStreamSingleValue(writer: writer)
    }
}

// MARK: - Object

/// The members of a JSON object, written as they are encoded.
struct JSONStreamObject<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONStreamWriter
    /// The object's place in the writer's stack of open containers.
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    private func begin(_ key: Key) {
        writer.beginElement(atDepth: depth, key: key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws {
        begin(key)
        writer.writeNull()
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        begin(key)
        writer.writeBool(value)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        begin(key)
        writer.writeString(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        begin(key)
        try writer.writeDouble(value)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        begin(key)
        try writer.writeFloat(value)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        begin(key)
        writer.writeInteger(value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        begin(key)
        try writer.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        begin(key)
        return KeyedEncodingContainer(JSONStreamObject<NestedKey>(writer: writer, depth: writer.openContainer(isObject: true)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        begin(key)
        return JSONStreamArray(writer: writer, depth: writer.openContainer(isObject: false))
    }

    mutating func superEncoder() -> any Encoder {
        writer.beginElement(atDepth: depth, key: "super")
        return JSONStreamValueEncoder(writer: writer)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        begin(key)
        return JSONStreamValueEncoder(writer: writer)
    }
}

// MARK: - Array

/// The elements of a JSON array, written as they are encoded.
struct JSONStreamArray: UnkeyedEncodingContainer {
    let writer: JSONStreamWriter
    let depth: Int
    private(set) var count = 0
    var codingPath: [any CodingKey] { [] }

    init(writer: JSONStreamWriter, depth: Int) {
        self.writer = writer
        self.depth = depth
    }

    private mutating func begin() {
        writer.beginElement(atDepth: depth, key: nil)
        count += 1
    }

    mutating func encodeNil() throws {
        begin()
        writer.writeNull()
    }
    mutating func encode(_ value: Bool) throws {
        begin()
        writer.writeBool(value)
    }
    mutating func encode(_ value: String) throws {
        begin()
        writer.writeString(value)
    }
    mutating func encode(_ value: Double) throws {
        begin()
        try writer.writeDouble(value)
    }
    mutating func encode(_ value: Float) throws {
        begin()
        try writer.writeFloat(value)
    }
    mutating func encode(_ value: Int) throws {
        begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int64) throws {
        begin()
        writer.writeInteger(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        begin()
        try writer.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        begin()
        return KeyedEncodingContainer(JSONStreamObject<NestedKey>(writer: writer, depth: writer.openContainer(isObject: true)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        begin()
        return JSONStreamArray(writer: writer, depth: writer.openContainer(isObject: false))
    }

    mutating func superEncoder() -> any Encoder {
        begin()
        return JSONStreamValueEncoder(writer: writer)
    }
}

// MARK: - Single value

/// A value written in place: the whole document, an object member or an array element.
struct JSONStreamSingleValue: SingleValueEncodingContainer {
    let writer: JSONStreamWriter
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { writer.writeNull() }
    mutating func encode(_ value: Bool) throws { writer.writeBool(value) }
    mutating func encode(_ value: String) throws { writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try writer.writeDouble(value) }
    mutating func encode(_ value: Float) throws { try writer.writeFloat(value) }
    mutating func encode(_ value: Int) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { writer.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.encodeValue(value) }
}
