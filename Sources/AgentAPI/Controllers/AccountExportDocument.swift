import AgentStore
import NIOCore

/// The export's JSON, one buffer per chunk of the snapshot: opens and closes the document's arrays as
/// the chunks move from one listing to the next, including listings with no chunk at all.
struct AccountExportDocument {
    /// The document's arrays, in order.
    enum Section: Int, CaseIterable {
        case agents, connections, links, tokens, conversations, feedback, providerCalls, auditLog

        var key: String {
            switch self {
            case .agents: "agents"
            case .connections: "connections"
            case .links: "agent_connections"
            case .tokens: "tokens"
            case .conversations: "conversations"
            case .feedback: "feedback"
            case .providerCalls: "provider_calls"
            case .auditLog: "audit_log"
            }
        }

        init(_ chunk: AccountExportChunk) {
            switch chunk {
            case .user, .agents: self = .agents
            case .connections: self = .connections
            case .links: self = .links
            case .tokens: self = .tokens
            case .conversation, .messages: self = .conversations
            case .feedback: self = .feedback
            case .providerCalls: self = .providerCalls
            case .auditLog: self = .auditLog
            }
        }
    }

    /// The array open now; nil before the first.
    private var section: Section?
    /// What goes before the next element of the open array.
    private var separator = ""
    /// Whether a conversation's `messages` array is open, and what goes before its next message.
    private var conversationOpen = false
    private var messageSeparator = ""

    /// `{"user":...`
    mutating func start(_ user: UserBody) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: "{\"user\":")
        var body = try JSONStreamEncoder.encode(user)
        buffer.writeBuffer(&body)
        return buffer
    }

    mutating func encode(_ chunk: AccountExportChunk) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        advance(to: Section(chunk).rawValue, into: &buffer)
        switch chunk {
        case .user: break
        case .agents(let items): try Self.append(items, into: &buffer, separator: &separator, AgentBody.init)
        case .connections(let items): try Self.append(items, into: &buffer, separator: &separator, ConnectionBody.init)
        case .links(let items):
            try Self.append(items, into: &buffer, separator: &separator, AgentConnectionLinkBody.init)
        case .tokens(let items): try Self.append(items, into: &buffer, separator: &separator, TokenBody.init)
        case .conversation(let conversation):
            if conversationOpen { buffer.writeString("]}") }
            buffer.writeString(separator)
            separator = ","
            var head = try JSONStreamEncoder.encode(ConversationBody(conversation))
            // Reopen the conversation object to append its messages.
            head.moveWriterIndex(to: head.writerIndex - 1)
            buffer.writeBuffer(&head)
            buffer.writeString(",\"messages\":[")
            conversationOpen = true
            messageSeparator = ""
        case .messages(let items): try Self.append(items, into: &buffer, separator: &messageSeparator, MessageBody.init)
        case .feedback(let items): try Self.append(items, into: &buffer, separator: &separator, FeedbackBody.init)
        case .providerCalls(let items):
            try Self.append(items, into: &buffer, separator: &separator, ProviderCallBody.init)
        case .auditLog(let items): try Self.append(items, into: &buffer, separator: &separator, AuditEntryBody.init)
        }
        return buffer
    }

    /// Closes what is open and writes the arrays no chunk reached, then the document's `}`.
    mutating func end() -> ByteBuffer {
        var buffer = ByteBuffer()
        advance(to: Section.allCases.count, into: &buffer)
        buffer.writeString("}")
        return buffer
    }

    /// Closes the open array and opens each following one up to `target` (a section's raw value, or
    /// past the last to close them all).
    private mutating func advance(to target: Int, into buffer: inout ByteBuffer) {
        while (section?.rawValue ?? -1) < target {
            if let open = section {
                if open == .conversations, conversationOpen {
                    buffer.writeString("]}")
                    conversationOpen = false
                }
                buffer.writeString("]")
            }
            guard let next = Section(rawValue: (section?.rawValue ?? -1) + 1) else {
                section = nil
                return
            }
            buffer.writeString(",\"\(next.key)\":[")
            section = next
            separator = ""
        }
    }

    /// A page's items as array elements, comma-separated and continuing after earlier pages.
    private static func append<Item, Body: Encodable>(
        _ items: [Item], into buffer: inout ByteBuffer, separator: inout String, _ convert: (Item) -> Body
    ) throws {
        for item in items {
            buffer.writeString(separator)
            separator = ","
            var element = try JSONStreamEncoder.encode(convert(item), capacity: 256)
            buffer.writeBuffer(&element)
        }
    }
}
