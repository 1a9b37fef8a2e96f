/// A message written straight into the response, member by member, without the `Encoder` protocol's
/// containers: a page holds up to 100 of them, and walking each through `encode(to:)` was most of the
/// cost of writing a page (the values themselves are written by the same functions either way).
///
/// The output is byte for byte what `encode(to:)` gives (`JSONStreamEncoderTests`): the same members in
/// the same order, `null` where `@Nullable` writes one, nothing for the other absent values.
extension MessageBody {
    func write(to writer: JSONStreamWriter) throws {
        let depth = writer.openContainer(isObject: true)
        func member(_ key: CodingKeys) { writer.beginElement(atDepth: depth, key: key.stringValue) }
        func member(_ key: CodingKeys, _ value: String?) {
            guard let value else { return }
            member(key)
            writer.writeString(value)
        }
        func member(_ key: CodingKeys, _ value: Int?) {
            guard let value else { return }
            member(key)
            writer.writeInteger(value)
        }
        member(.id, id)
        member(.agentID, agentID)
        member(.conversationID, conversationID)
        member(.userID, userID)
        member(.role, role)
        member(.content, content)
        member(.metadata)
        if let metadata { try writer.encodeValue(metadata) } else { writer.writeNull() }
        member(.createdAt, RFC3339.string(from: createdAt))
        member(.parentID)
        if let parentID { writer.writeString(parentID) } else { writer.writeNull() }
        if let startsAnew {
            member(.startsAnew)
            writer.writeBool(startsAnew)
        }
        member(.status, status)
        member(.model, model)
        member(.connectionID, connectionID)
        if let usage {
            member(.usage)
            try writer.encodeValue(usage)
        }
        member(.latencyMilliseconds, latencyMilliseconds)
        member(.timeToFirstTokenMilliseconds, timeToFirstTokenMilliseconds)
        member(.finishReason, finishReason)
        member(.error, error)
        member(.errorDetail, errorDetail)
        writer.closeContainers(downTo: depth - 1)
    }
}
