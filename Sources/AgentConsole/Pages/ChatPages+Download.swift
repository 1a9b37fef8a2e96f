import AgentAPI
import AgentStore
import Foundation
import Hummingbird

// MARK: Downloading a thread

extension ChatPages {
    /// What a download holds at most: the thread's newest messages up to this much content, or this many
    /// messages, whichever comes first (a conversation may hold millions of bytes in thousands of messages,
    /// and the file is made in memory). Earlier ones are left out, and the file says so.
    static let downloadContentBytes = 16 * 1024 * 1024
    static let downloadMessages = 10_000

    /// The thread shown (up to the message `at` names, or the newest) as a Markdown file: its title, then
    /// each message under its speaker, oldest first, as far back as the thread goes within the bounds above.
    @Sendable func download(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let end = try ConversationThread.End(query: request)
        let (agent, conversation, messages, complete) = try await api.store.withTenant(
            visit.userID, requestID: context.requestID
        ) { session in
            let agent = try await session.agent(agentID)
            let conversation = try await session.conversation(of: agent, conversationID)
            let (messages, complete) = try await Self.wholeThread(of: conversation, ending: end, in: session)
            return (agent, conversation, messages, complete)
        }
        let title = ConsoleFormat.conversationTitle(conversation.title, id: conversationID)
        let text = ConversationMarkdown(title: title, agentName: agent.name, messages: messages, complete: complete).text
        var headers = ConsoleHeaders.page
        headers[.contentType] = "text/markdown; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(Self.fileName(title)).md\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The thread's messages, oldest first, read back a page at a time from its end; false when the bounds
    /// cut it short.
    private static func wholeThread(of conversation: Conversation, ending end: ConversationThread.End, in session: TenantSession)
        async throws -> (messages: [Message], complete: Bool)
    {
        var pages: [[Message]] = []
        var (bytes, count, complete) = (0, 0, true)
        var end = end
        while true {
            let thread = try await session.thread(of: conversation, ending: end, limit: 100)
            let page = thread.messages.map(\.message)
            pages.append(page)
            bytes += page.reduce(0) { $0 + $1.content.utf8.count }
            count += page.count
            guard thread.hasEarlier, let earlier = thread.messages.first?.follows else { break }
            guard bytes < downloadContentBytes, count < downloadMessages else {
                complete = false
                break
            }
            end = .at(earlier)
        }
        return (pages.reversed().flatMap { $0 }, complete)
    }

    /// A file name from the conversation's title: its ASCII letters, digits, `-` and `_`, words joined by
    /// `-`, at most 60 characters; "conversation" when none is left. (Nothing else can break out of the
    /// header's quotes or surprise a file system.)
    static func fileName(_ title: String) -> String {
        let words = title.split { character in
            !(character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_"))
        }
        let name = String(words.joined(separator: "-").prefix(60))
        return name.isEmpty ? "conversation" : name
    }
}
