import AgentStore
import Foundation
import Hummingbird
import Logging

/// A user's data as one JSON document, written as it is read: one keyset page at a time, each in its own
/// tenant transaction, so no more than a page is ever held in memory.
///
/// The document is `{"user": ..., "agents": [...], "connections": [...], "tokens": [...],
/// "conversations": [{..., "messages": [...]}], "feedback": [...], "audit_log": [...]}`. Pages are read in
/// separate transactions, so rows changed during the export may appear in their old or new state.
struct AccountExport: Sendable {
    let store: AgentStore
    let user: User
    let requestID: String
    let logger: Logger

    static let pageSize = 100

    func write(to writer: inout any ResponseBodyWriter) async throws {
        do {
            try await writer.write(Self.fragment("{\"user\":"))
            try await writer.write(try Self.encoded(UserBody(user)))
            try await section("agents", of: { try await $0.agents($1) }, to: &writer) { AgentBody($0) }
            try await section("connections", of: { try await $0.connections($1) }, to: &writer) { ConnectionBody($0) }
            try await section("tokens", of: { try await $0.tokens($1) }, to: &writer) { TokenBody($0) }
            try await writer.write(Self.fragment(",\"conversations\":["))
            var separator = ""
            try await eachAgent { agent in
                try await walk({ try await $0.conversations(agentID: agent.id, $1) }) { conversation in
                    try await writer.write(Self.fragment(separator))
                    separator = ","
                    try await writeConversation(conversation, to: &writer)
                }
            }
            try await writer.write(Self.fragment("]"))
            separator = ""
            try await writer.write(Self.fragment(",\"feedback\":["))
            try await eachAgent { agent in
                try await walkPages({ try await $0.feedback(agentID: agent.id, $1).page }) { page in
                    try await writer.write(try Self.encoded(page, separator: &separator, FeedbackBody.init))
                }
            }
            try await writer.write(Self.fragment("]"))
            try await section("audit_log", of: { try await $0.auditLog($1) }, to: &writer) { AuditEntryBody($0) }
            try await writer.write(Self.fragment("}"))
            try await writer.finish(nil)
        } catch {
            // The status is sent already: the client sees a truncated document and a reset stream.
            logger.error("export failed", metadata: ["error_type": "\(type(of: error))"])
            throw error
        }
    }

    // MARK: Sections

    private func section<Item: Sendable & Identified, Body: Encodable>(
        _ key: String, of read: (TenantSession, PageRequest) async throws -> Page<Item>,
        to writer: inout any ResponseBodyWriter, _ convert: (Item) -> Body
    ) async throws {
        try await writer.write(Self.fragment(",\"\(key)\":["))
        var separator = ""
        try await walkPages(read) { page in
            try await writer.write(try Self.encoded(page, separator: &separator, convert))
        }
        try await writer.write(Self.fragment("]"))
    }

    private func writeConversation(_ conversation: Conversation, to writer: inout any ResponseBodyWriter) async throws {
        var head = try Self.encoded(ConversationBody(conversation))
        // Reopen the conversation object to append its messages.
        head.moveWriterIndex(to: head.writerIndex - 1)
        head.writeString(",\"messages\":[")
        try await writer.write(head)
        var separator = ""
        try await walkPages({ try await $0.messages(agentID: conversation.agentID, conversationID: conversation.id, $1) }) {
            page in
            try await writer.write(try Self.encoded(page, separator: &separator, MessageBody.init))
        }
        try await writer.write(Self.fragment("]}"))
    }

    private func eachAgent(_ body: (Agent) async throws -> Void) async throws {
        try await walk({ try await $0.agents($1) }, body)
    }

    /// Reads a listing to its end, oldest first, one page per transaction.
    private func walkPages<Item: Sendable & Identified>(
        _ read: (TenantSession, PageRequest) async throws -> Page<Item>, _ body: ([Item]) async throws -> Void
    ) async throws {
        var cursor: PageRequest.Cursor?
        while true {
            let request = PageRequest(limit: Self.pageSize, cursor: cursor, order: .ascending)
            let page = try await store.withTenant(user.id, requestID: requestID) { try await read($0, request) }
            if !page.items.isEmpty { try await body(page.items) }
            guard page.hasMore, let last = page.items.last else { return }
            cursor = .after(last.cursorID)
        }
    }

    private func walk<Item: Sendable & Identified>(
        _ read: (TenantSession, PageRequest) async throws -> Page<Item>, _ body: (Item) async throws -> Void
    ) async throws {
        try await walkPages(read) { items in
            for item in items { try await body(item) }
        }
    }

    // MARK: Encoding

    private static func fragment(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    private static func encoded(_ value: some Encodable) throws -> ByteBuffer {
        try JSONStreamEncoder.encode(value)
    }

    /// A page's items as array elements, comma-separated and continuing after earlier pages: one write per page.
    private static func encoded<Item, Body: Encodable>(
        _ items: [Item], separator: inout String, _ convert: (Item) -> Body
    ) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        for item in items {
            buffer.writeString(separator)
            separator = ","
            var element = try JSONStreamEncoder.encode(convert(item), capacity: 256)
            buffer.writeBuffer(&element)
        }
        return buffer
    }
}
