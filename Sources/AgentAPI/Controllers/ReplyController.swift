import AgentReplies
import AgentStore
import Hummingbird

/// Agents that answer: `POST .../conversations/{conversation_id}/replies` and, under `/v1/messages`,
/// `regenerate`, `cancel` and `stream` (reattach).
struct ReplyController: Sendable {
    let store: AgentStore
    let replies: ReplyGenerator
    /// Clients of this instance following replies that run on another, each read every second until it ends.
    let elsewhereFollowers: RequestSlots
    /// Cancels of this instance waiting for another to stop a reply: bounded, so that repeated cancels of a
    /// reply whose instance died cannot pile up reads.
    let elsewhereCancels: RequestSlots

    init(store: AgentStore, replies: ReplyGenerator, configuration: APIConfiguration) {
        self.store = store
        self.replies = replies
        elsewhereFollowers = .quarterPerTenant(capacity: configuration.maximumElsewhereFollowers)
        elsewhereCancels = .quarterPerTenant(capacity: configuration.maximumElsewhereCancels)
    }

    func addRoutes(conversations: RouterGroup<APIRequestContext>, messages: RouterGroup<APIRequestContext>) {
        conversations.post("{conversation_id}/replies", use: reply)
        messages.get("{message_id}", use: show)
        messages.post("{message_id}/regenerate", use: regenerate)
        messages.post("{message_id}/cancel", use: cancel)
        messages.get("{message_id}/stream", use: follow)
    }

    // MARK: Handlers

    /// `createReply`: stores the user's message and generates the agent's reply to it, streamed as
    /// server-sent events or, with `"stream": false`, answered once complete.
    @Sendable func reply(_ request: Request, context: APIRequestContext) async throws -> Response {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationID = try context.conversationID()
        let body = try await request.decode(as: CreateReplyBody.self, context: context)
        let parentID = try body.parentID.map { raw in
            guard let id = MessageID(rawValue: raw) else { throw Problem.invalid(field: "parent_id", reason: "names no message") }
            return id
        }
        // A message of white space alone asks nothing, and the provider's call would be paid for all the same.
        if !body.content.isEmpty, body.content.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw Problem.invalid(field: "content", reason: "must hold more than white space")
        }
        let key = try IdempotencyKey(of: request)
        let stream = body.stream ?? true
        let tenant = try context.tenant()
        let slot = try replies.admitReply(of: tenant)
        let begun = try await store.beginReply(
            of: context, agentID: agentID, conversationID: conversationID,
            NewReply(
                content: body.content, parentID: parentID, startsAnew: body.startsAnew ?? false,
                parentMustBeLast: body.ifLast ?? false),
            key: key, settings: replies.settings, opening: replies.keyOpening(for: .reply))
        switch begun {
        case .started(let start):
            let running = await replies.generate(start, tenant: tenant, slot: slot, requestID: context.requestID)
            return try await respond(running, prompt: start.prompt, stream: stream, status: .created)
        case .earlier(let prompt, let reply):
            _ = consume slot  // a replay starts nothing: its place goes back now, not when the reply it follows ends
            var response = try await reattach(to: reply, prompt: prompt, stream: stream, status: .created, context: context)
            response.headers[IdempotencyKey.replayedHeader] = "true"
            return response
        }
    }

    /// `regenerateReply`: a new reply to the message an earlier reply answered; both stay.
    @Sendable func regenerate(_ request: Request, context: APIRequestContext) async throws -> Response {
        let messageID = try context.id(MessageID.self, "message_id", of: "message")
        let stream = try Self.streamParameter(request)
        try await request.requireNoBody()
        let tenant = try context.tenant()
        let slot = try replies.admitReply(of: tenant)
        let settings = replies.settings
        let opening = replies.keyOpening(for: .reply)
        let start = try await store.startProviderCall(of: context) {
            try await $0.beginRegeneration(
                of: messageID, limits: settings.defaultLimits, budget: settings.contextBudget, opening: opening)
        }
        let running = await replies.generate(start, tenant: tenant, slot: slot, requestID: context.requestID)
        return try await respond(running, prompt: nil, stream: stream, status: .created)
    }

    /// `cancelReply`: stops a running reply at once; it keeps its text with status `cancelled`. A reply
    /// that has ended is answered as it is; one that runs on another instance is stopped there.
    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> MessageBody {
        let messageID = try context.id(MessageID.self, "message_id", of: "message")
        try await request.requireNoBody()
        let message = try await store.withTenant(of: context) { try await $0.message(messageID) }
        let tenant = try context.tenant()
        guard let running = replies.running.reply(messageID, of: tenant) else {
            guard message.status == .streaming else { return MessageBody(message) }
            let slot: RequestSlots.Slot
            do {
                slot = try elsewhereCancels.take(for: tenant.rawValue)
            } catch {
                let waiting =
                    error == .alreadyHeld ? "\(elsewhereCancels.share) of this tenant's" : "\(elsewhereCancels.capacity)"
                throw Problem.unavailable(
                    "\(waiting) cancels of replies running on other instances are waiting here already; retry in a second.",
                    retryAfterSeconds: 1)
            }
            let ended = try await replies.cancelElsewhere(messageID, tenant: tenant, requestID: context.requestID)
            withExtendedLifetime(slot) {}
            guard ended.status != .streaming else {
                throw Problem.conflict(
                    field: "message_id",
                    reason: "no instance of the platform stopped the reply within \(replies.settings.elsewhereCancelWait); "
                        + "the one that ran it may have stopped (see agentctl replies settle-interrupted)")
            }
            return MessageBody(ended)
        }
        await running.cancel()
        let outcome = await running.outcome()
        guard let ended = outcome?.message else {
            // Deleted as it was cancelled: it is gone, as a cancel that came a moment later would find.
            throw outcome?.failure == .deleted ? Problem.notFound("message") : Problem.outcomeNotStored(messageID)
        }
        return MessageBody(ended)
    }

    /// `getMessage`. A reply that runs on this instance shows its text so far, which the database gets only at
    /// its end; one that runs on another shows what is stored (follow it with `streamReply` for its text).
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> MessageBody {
        let messageID = try context.id(MessageID.self, "message_id", of: "message")
        let message = try await store.withTenant(of: context) { try await $0.message(messageID) }
        var body = MessageBody(message)
        if message.status == .streaming, let running = replies.running.reply(messageID, of: try context.tenant()) {
            body.content = await running.textSoFar
        }
        return body
    }

    /// `streamReply`: reattaches to a reply: what was generated so far, then the rest live. A reply that
    /// has ended is replayed from the store; one that runs on another instance is followed through it.
    @Sendable func follow(_ request: Request, context: APIRequestContext) async throws -> Response {
        let messageID = try context.id(MessageID.self, "message_id", of: "message")
        let message = try await store.withTenant(of: context) { try await $0.message(messageID) }
        // A user's (or a tool's) message is no reply: there is nothing to reattach to.
        guard message.role == .assistant else { throw Problem.notFound("reply") }
        return try await reattach(to: message, prompt: nil, stream: true, status: .ok, context: context)
    }

    // MARK: Answering

    /// A reply as a client that comes to it late gets it, the user's message first when there is one: as
    /// it runs (what was generated so far, then the rest live), or as it ended. One that runs on another
    /// instance is followed through it when streamed; not streamed, it is a 409 (follow it with `streamReply`).
    private func reattach(
        to reply: Message, prompt: Message?, stream: Bool, status: HTTPResponse.Status, context: APIRequestContext
    ) async throws -> Response {
        let tenant = try context.tenant()
        if let running = replies.running.reply(reply.id, of: tenant) {
            return try await respond(running, prompt: prompt, stream: stream, status: status)
        }
        guard reply.status != .streaming else {
            guard stream else {
                throw Problem.conflict(
                    field: IdempotencyKey.header.rawName,
                    reason: "the reply \(reply.id) still runs on another instance of the platform; "
                        + "follow it with GET /v1/messages/\(reply.id)/stream")
            }
            // Draining, this instance would let the follower go within a second: another one follows it.
            try replies.requireAcceptingReplies()
            return try followElsewhere(reply, prompt: prompt, tenant: tenant, requestID: context.requestID)
        }
        guard stream else { return try Self.exchange(prompt, reply, status: status) }
        return Self.streamed(ReplyFollower(ended: reply), prompt: prompt)
    }

    /// A reply that runs on another instance: `reply.started` at once, then its text as that instance
    /// relays it, a comment line each second while it runs (which also notices a client that left), and
    /// its end as stored (with any text not relayed before it).
    private func followElsewhere(_ reply: Message, prompt: Message?, tenant: UserID, requestID: String?) throws -> Response {
        let slot: RequestSlots.Slot
        do {
            slot = try elsewhereFollowers.take(for: tenant.rawValue)
        } catch {
            throw error == .alreadyHeld
                ? Problem.tooManyFollowers(
                    elsewhereFollowers.share, of: "this tenant's replies running on other instances, through this one")
                : Problem.tooManyFollowers(
                    elsewhereFollowers.capacity, of: "replies running on other instances, through this one")
        }
        let replies = self.replies
        return Response(
            status: .ok, headers: ServerSentEvents.headers,
            body: .written { writer in
                // The slot goes back when this body is released, however it ends.
                _ = slot
                if let prompt { try await writer.write(try ReplyStreamEvent.encode(prompt: prompt)) }
                try await writer.write(try ReplyStreamEvent.encode(.started(reply), prompt: prompt))
                let end: ReplyEnd
                do {
                    end = try await replies.endElsewhere(
                        of: reply, tenant: tenant, requestID: requestID,
                        waiting: { try await writer.write(ServerSentEvents.waiting) },
                        relayed: { try await writer.write(try ReplyStreamEvent.encode(.delta($0), prompt: prompt)) })
                } catch is ReplyGenerator.Draining {
                    // Shutting down: the stream ends without the reply's end, and the client follows it again.
                    return try await writer.finish(nil)
                }
                try await writer.write(try ReplyStreamEvent.encode(.ended(end), prompt: prompt))
                try await writer.finish(nil)
            })
    }

    private func respond(_ running: RunningReply, prompt: Message?, stream: Bool, status: HTTPResponse.Status) async throws
        -> Response
    {
        guard stream else {
            let ended = await running.outcome()
            guard let reply = ended?.message else {
                // Deleted while it ran: said as a follower hears it (`reply-cancelled`), not as an outage.
                throw ended?.failure == .deleted
                    ? Problem(ReplyFailure.deleted) : Problem.outcomeNotStored(await running.started?.id)
            }
            return try Self.exchange(prompt, reply, failure: ended?.failure, status: status)
        }
        guard let progress = await running.follow() else {
            throw Problem.tooManyFollowers(RunningReply.maximumFollowers)
        }
        return Self.streamed(progress, prompt: prompt)
    }

    /// The user's message, when there is one, and the reply as it ended, in one body.
    private static func exchange(
        _ prompt: Message?, _ reply: Message, failure: ReplyFailure? = nil, status: HTTPResponse.Status
    ) throws -> Response {
        var response = try APIResponseEncoder.response(
            ExchangeBody(message: prompt.map(MessageBody.init), reply: MessageBody(reply, failure: failure)), status: status)
        // A 201 names what it created: the reply (the message beside it has its id in the body).
        if status == .created { response.headers[.location] = "/v1/messages/\(reply.id.rawValue)" }
        return response
    }

    /// The reply as server-sent events, the user's message first when there is one.
    private static func streamed(_ progress: ReplyFollower, prompt: Message?) -> Response {
        Response(
            status: .ok, headers: ServerSentEvents.headers,
            body: .written { writer in
                if let prompt { try await writer.write(try ReplyStreamEvent.encode(prompt: prompt)) }
                // A client that goes away ends this loop (the write throws); the reply runs on. While no text
                // comes, a comment line now and then keeps proxies from cutting the stream, and notices a
                // client that left.
                while let step = await progress.nextStep() {
                    switch step {
                    case .event(let event): try await writer.write(try ReplyStreamEvent.encode(event, prompt: prompt))
                    case .silence: try await writer.write(ServerSentEvents.waiting)
                    }
                }
                try await writer.finish(nil)
            })
    }

    static func requireChatConnection(_ connections: [LinkedConnection]) throws {
        guard connections.contains(where: { ReplyGenerator.chatServices.contains($0.service) }) else {
            let services = ReplyGenerator.chatServices.sorted().joined(separator: " or ")
            // The detail is what a person reads (the console shows it as is); the field error is for code.
            throw Problem(
                .unprocessableContent, slug: "invalid-value", title: "Invalid value",
                detail: "This agent cannot answer yet: link a connection whose service is \(services) to it first.",
                errors: [
                    Problem.FieldError(
                        field: "agent_id", reason: "the agent has no linked connection whose service can answer (\(services))")
                ])
        }
    }

    /// The `stream` query parameter of `regenerate`: `true` (the default) or `false`.
    static func streamParameter(_ request: Request) throws -> Bool {
        switch request.queryFields["stream"] {
        case nil, "true": true
        case "false": false
        default: throw Problem.badParameter("stream", "must be true or false")
        }
    }
}
