import AgentAPI
import AgentReplies
import AgentStore
import Foundation
import Hummingbird

/// A conversation with an agent: its messages, a box to send one, and on each reply feedback, regenerate,
/// stop and retry. The page's script streams replies through the chat routes under `/console/api`; without
/// script, sending still works (the page shows the reply when it is reloaded).
struct ChatPages: Sendable {
    let api: APIParts
    let pages: ConsolePages

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("agents/{agent_id}/new-conversation", use: start)
        group.get("agents/{agent_id}/conversations/{conversation_id}", use: show)
        group.get("agents/{agent_id}/conversations/{conversation_id}/download", use: download)
        group.post("agents/{agent_id}/conversations/{conversation_id}/messages", use: send)
        group.post("agents/{agent_id}/conversations/{conversation_id}/rename", use: rename)
        group.post("agents/{agent_id}/conversations/{conversation_id}/delete", use: delete)
        group.post("messages/{message_id}/feedback", use: rate)
        group.get("messages/{message_id}/content", use: content)
    }

    /// The page of a conversation; the id is percent-encoded, as clients choose conversation ids.
    static func path(_ agentID: AgentID, _ conversationID: ConversationID) -> String {
        "/agents/\(ConsoleFormat.segment(agentID.rawValue))/conversations/\(ConsoleFormat.segment(conversationID.rawValue))"
    }

    // MARK: Models

    struct MessageRow: Sendable {
        let id: String
        let role: String
        let fromAgent: Bool
        let content: String
        /// A reply's Markdown as HTML (``ReplyMarkdown``); a user's message is shown as typed.
        let html: String?
        /// When it was sent (a reply: when it began), in UTC; the page's script shows it in the reader's zone.
        let time: String
        let status: String
        let streaming: Bool
        /// A reply that ended without a word (it failed or was stopped before its first): nothing to copy or
        /// to rate (nor is a reply still running rated: half of it is not what the rating would be of).
        let bare: Bool
        let failed: Bool
        let error: String?
        let details: String?
        let rated: Bool
        /// The tenant's feedback on this reply, shown on its buttons (the one chosen pressed) and comment.
        let ratedGood: Bool
        let ratedBad: Bool
        let feedbackComment: String?
        /// "2 / 3" where the message has other versions (edits sent again, regenerated replies), with links
        /// to the threads through the version before and the one after.
        let versionLabel: String?
        let previousVersion: String?
        let nextVersion: String?
        /// A user's message can be edited and sent again: the new version follows the message this one
        /// follows (`follows`), or none (`startsAnew`, a first message).
        let editable: Bool
        let follows: String?
        let startsAnew: Bool

        init(
            _ message: Message, rated: String?, feedback: Feedback? = nil, in thread: ThreadMessage? = nil, path: String = "",
            connectionName: String? = nil
        ) {
            id = message.id.rawValue
            role = message.role.rawValue
            fromAgent = message.role == .assistant
            content = message.content
            html = fromAgent ? ReplyMarkdown.html(message.content) : nil
            time = ConsoleFormat.time(message.createdAt)
            status = message.status.rawValue
            streaming = message.status == .streaming
            bare = message.role == .assistant && !streaming && message.content.isEmpty
            failed = message.status == .failed
            // Told in words, as the page told it live; the stored problem type alone read "(provider-rejected)".
            error = message.generation?.error.map { ReplyFailure(storedSlug: $0, of: message.status).detail }
            var details: [String] = []
            if let model = message.generation?.model { details.append(model) }
            // Which key answered: with fallbacks linked, not always the first.
            if let connectionName { details.append("via \(connectionName)") }
            if let usage = message.generation?.usage {
                details.append("\(usage.promptTokens + usage.completionTokens) tokens\(usage.estimated ? " (estimated)" : "")")
            }
            if let latency = message.generation?.latencyMilliseconds { details.append("\(latency) ms") }
            // In the reader's words: a reply they stopped is "stopped" (the API's status is `cancelled`).
            if message.status != .complete { details.append(message.status == .cancelled ? "stopped" : message.status.rawValue) }
            self.details = details.isEmpty ? nil : details.joined(separator: " · ")
            self.rated = rated == message.id.rawValue
            ratedGood = feedback?.rating == 1
            ratedBad = feedback?.rating == 0
            feedbackComment = feedback?.comment
            let versions = thread?.versions
            versionLabel = versions.flatMap { $0.count > 1 ? "\($0.position) / \($0.count)" : nil }
            previousVersion = versions?.previous.map { ChatPages.threadPath(path, through: $0) }
            nextVersion = versions?.next.map { ChatPages.threadPath(path, through: $0) }
            editable = thread != nil && message.role == .user
            follows = thread?.follows?.rawValue
            startsAnew = thread != nil && thread?.follows == nil
        }
    }

    struct ChatPage: Sendable {
        let chrome: Chrome
        let agentID: String
        let agentName: String
        let agentHref: String
        let title: String
        /// The title as stored, for the Rename field: empty where the heading says the conversation has none.
        let storedTitle: String
        let messages: [MessageRow]
        let earlier: String?
        /// On a page of a thread's earlier messages, the thread on from its last (and no composer there: a
        /// message sent would follow that last message, branching the conversation where nobody meant to).
        let later: String?
        /// Where the page's script sends replies: the chat routes of this conversation.
        let repliesURL: String
        let sendURL: String
        let renameURL: String
        let deleteURL: String
        /// The thread shown, to its last message, as a Markdown file (a conversation without messages yet:
        /// its newest thread, which the page's script moves on to each reply as it starts).
        let downloadURL: String
        /// A reply still running when the page was made, which the script reattaches to.
        let follow: String?
        /// The message a new one follows: the last of the thread shown.
        let parentID: String?
        let canWrite: Bool
        /// The address a conversation not stored yet will have (``start(_:context:)``): what needs it stored
        /// (rename, delete, download) is hidden until its first message.
        let unstored: String?
    }

    /// The conversation's thread through a message (one of its versions), to the newest message after it.
    static func threadPath(_ path: String, through id: MessageID) -> String {
        "\(path)?through=\(ConsoleFormat.segment(id.rawValue))#message-\(ConsoleFormat.segment(id.rawValue))"
    }

    /// The thread that ends at a message (the messages before a page's first), opened at that message: where
    /// its reader came from.
    static func threadPath(_ path: String, endingAt id: MessageID) -> String {
        "\(path)?at=\(ConsoleFormat.segment(id.rawValue))#message-\(ConsoleFormat.segment(id.rawValue))"
    }

    // MARK: Handlers

    /// The conversation's thread: the newest, the one through a version chosen (`through`), or the
    /// earlier messages of one (`at`).
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let end = try ConversationThread.End(query: request)
        let (user, agent, conversation, thread, feedback, connections) = try await api.store.withTenant(
            visit.userID, requestID: context.requestID
        ) { session in
            let agent = try await session.agent(agentID)
            let conversation = try await session.conversation(of: agent, conversationID)
            // Through a message, the page shows it, however far back (a search's hit, the way on from earlier messages).
            let thread =
                if case .through(let id) = end {
                    try await session.thread(of: conversation, showing: id, limit: 100)
                } else {
                    try await session.thread(of: conversation, ending: end, limit: 100)
                }
            let replies = thread.messages.map(\.message).filter { $0.role == .assistant }
            let answered = Array(Set(replies.compactMap(\.generation?.connectionID)))
            return (
                try await session.currentUserIfExists(), agent, conversation, thread,
                try await session.feedback(on: replies.map(\.id)), try await session.connectionNames(answered)
            )
        }
        let path = Self.path(agentID, conversationID)
        let rated = request.queryFields["rated"]
        let rows = thread.messages.map {
            MessageRow(
                $0.message, rated: rated, feedback: feedback[$0.message.id], in: $0, path: path,
                connectionName: $0.message.generation?.connectionID.flatMap { connections[$0] })
        }
        let title = ConsoleFormat.conversationTitle(conversation.title, id: conversationID)
        // A page that stops short of its thread's end leads on from its last message, and has no composer.
        var later: String?
        if case .at(let id) = end { later = Self.threadPath(path, through: id) }
        if thread.hasLater, let last = thread.messages.last { later = Self.threadPath(path, through: last.message.id) }
        let model = ChatPage(
            chrome: Chrome(
                title: title, section: .agents, withinSection: true, assets: pages.assets, visit: visit, email: user?.email),
            agentID: agentID.rawValue, agentName: agent.name, agentHref: "/agents/\(ConsoleFormat.segment(agentID.rawValue))",
            title: title, storedTitle: conversation.title ?? "", messages: rows,
            earlier: thread.hasEarlier ? thread.messages.first?.follows.map { Self.threadPath(path, endingAt: $0) } : nil,
            later: later,
            repliesURL: "/console/api\(path)/replies", sendURL: "\(path)/messages", renameURL: "\(path)/rename",
            deleteURL: "\(path)/delete",
            downloadURL: rows.last.map { "\(path)/download?at=\(ConsoleFormat.segment($0.id))" } ?? "\(path)/download",
            follow: rows.last(where: \.streaming)?.id, parentID: rows.last?.id, canWrite: visit.scopes.allow(.write),
            unstored: nil)
        return pages.page("chat", model)
    }

    /// Sends a message without script, or a message edited and sent again (a new version, which follows
    /// what the first followed): the reply starts, and the page shows its thread with the reply as far as
    /// it got.
    @Sendable func send(_ request: Request, context: APIRequestContext) async throws -> Response {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        let parentID = try form.text("parent_id").map {
            guard let id = MessageID(rawValue: $0) else { throw StoreError.invalid(field: .parentID, reason: "names no message") }
            return id
        }
        let reply = try await api.startReply(
            of: context, agentID: agentID, conversationID: conversationID,
            NewReply(
                content: form["content"] ?? "", parentID: parentID, startsAnew: form["starts_anew"] == "true",
                parentMustBeLast: form["if_last"] == "true"))
        return ConsolePages.redirect(to: Self.threadPath(Self.path(agentID, conversationID), through: reply))
    }

    /// Gives the conversation the title of the form; back to the conversation.
    @Sendable func rename(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        _ = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            try await $0.renameConversation(agentID: agentID, conversationID: conversationID, title: form["title"] ?? "")
        }
        return ConsolePages.redirect(to: Self.path(agentID, conversationID))
    }

    /// Deletes the conversation with its messages; back to the agent's conversations.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let streaming = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            try await $0.deleteConversation(agentID: agentID, conversationID: conversationID)
        }
        await api.replies.stop(streaming, of: visit.userID)
        return ConsolePages.redirect(
            to: "/agents/\(ConsoleFormat.segment(agentID.rawValue))?done=conversation-deleted#conversations-heading")
    }

    /// A message's content as the chat page shows it, for the page's script to put in place of a reply's
    /// plain text: while the reply runs (its text so far, when it runs on this instance; a 204 when it runs
    /// on another, whose text only reaches this one through the reply's stream) and once it has ended.
    @Sendable func content(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let messageID = try context.id(MessageID.self, "message_id", of: "message")
        let message = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            try await $0.message(messageID)
        }
        var text = message.content
        if message.status == .streaming {
            guard let running = api.replies.running.reply(messageID, of: visit.userID) else {
                return Response(status: .noContent, headers: ConsoleHeaders.page)
            }
            text = await running.textSoFar
        }
        let html = message.role == .assistant ? ReplyMarkdown.html(text) : ConsoleHTML().escapeText(text)
        return ConsolePages.html(html)
    }

    /// Thumbs up or down, with an optional comment; back to the conversation at that message.
    @Sendable func rate(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let messageID = try context.id(MessageID.self, "message_id", of: "message")
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        let rating = form["rating"] == "up" ? 1 : (form["rating"] == "down" ? 0 : -1)
        let message = try await api.store.withTenant(visit.userID, requestID: context.requestID) { session in
            _ = try await session.setFeedback(messageID: messageID, NewFeedback(rating: rating, comment: form.text("comment")))
            return try await session.message(messageID)
        }
        let path = Self.path(message.agentID, message.conversationID)
        let id = ConsoleFormat.segment(messageID.rawValue)
        return ConsolePages.redirect(to: "\(path)?through=\(id)&rated=\(id)#message-\(id)")
    }
}
