import AgentProviders
import AgentReplies
import AgentStore
import Foundation
import Hummingbird

/// The OpenAI-compatible endpoint: `POST /v1/chat/completions` with `"model": "agent:<agent id>"` and
/// `GET /v1/models` (and `/v1/models/{model}`), so that OpenAI's SDKs and the tools built on them talk to the
/// tenant's agents.
///
/// The agent decides: its system prompt comes first, its model, temperature and `max_tokens` apply (a
/// request may only lower `max_tokens`), its linked keys are used, and the tenant's limits hold. With
/// `"metadata": {"conversation_id": ...}` the exchange is also stored in that conversation.
struct ChatCompletionsController: Sendable {
    let store: AgentStore
    let replies: ReplyGenerator
    /// Its failures are answered here, in OpenAI's shape, so ``ProblemMiddleware`` never sees them to log.
    let failures: FailedRequestLog
    let refusals: RefusalCount

    func addRoutes(to v1: RouterGroup<APIRequestContext>) {
        v1.post("chat/completions", use: complete)
        v1.get("models", use: models)
        v1.get("models/{model}", use: model)
    }

    /// Whether `path` is one of these routes, whose errors are OpenAI error objects: read as the router reads
    /// it, which skips empty segments (`/v1/chat/completions/` is the same route).
    static func speaksOpenAI(_ path: String) -> Bool {
        let segments = path.split(separator: "/")
        return segments == ["v1", "chat", "completions"] || segments.starts(with: ["v1", "models"]) && segments.count <= 3
    }

    // MARK: Handlers

    /// `createChatCompletion`.
    @Sendable func complete(_ request: Request, context: APIRequestContext) async throws -> Response {
        do {
            return try await answer(request, context: context)
        } catch let error as OpenAIError {
            refusals.record(error.status, type: error.code ?? error.type)
            return error.response()
        } catch StoreError.notFound(resource: "agent") {
            // No agent of the tenant's has the id: to OpenAI's clients, a model that does not exist.
            return OpenAIError.invalidModel.response()
        } catch {
            let problem = Problem(from: error, bodyLimit: context.maxUploadSize)
            failures.record(error, as: problem, logger: context.logger)
            refusals.record(problem)
            return OpenAIError(problem).response()
        }
    }

    /// `listModels`: the tenant's agents.
    @Sendable func models(_ request: Request, context: APIRequestContext) async throws -> ModelListBody {
        let tenant = try context.tenant()
        let agents = try await store.withTenant(of: context) { try await $0.agentModels() }
        return ModelListBody(
            data: agents.map {
                ModelListBody.Model(
                    id: ChatCompletionRequest.modelPrefix + $0.id.rawValue, created: Int($0.createdAt.timeIntervalSince1970),
                    ownedBy: tenant.rawValue, name: $0.name)
            })
    }

    /// `retrieveModel`: one of the tenant's agents as a model; any other name is OpenAI's 404
    /// `model_not_found`, as a completion naming it is.
    @Sendable func model(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenant = try context.tenant()
        do {
            let agentID = try ChatCompletionRequest.agentID(model: context.parameters.get("model")?.removingPercentEncoding ?? "")
            let agent = try await store.withTenant(of: context) { try await $0.agent(agentID) }
            return try ModelListBody.Model(
                id: ChatCompletionRequest.modelPrefix + agent.id.rawValue, created: Int(agent.createdAt.timeIntervalSince1970),
                ownedBy: tenant.rawValue, name: agent.name
            ).response(from: request, context: context)
        } catch let error as OpenAIError {
            return error.response()
        } catch StoreError.notFound(resource: "agent") {
            return OpenAIError.invalidModel.response()
        }
    }

    // MARK: Answering

    private func answer(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await Self.decode(request, context: context)
        let agentID = try body.agentID()
        try body.refuseUnsupportedOptions()
        let conversation = try body.conversation()
        let maximumTokens = try body.requestedMaximumTokens()
        let stopSequences = try body.stopSequences()
        // What the call sends is the client's conversation, whether or not the exchange is also stored: the
        // tenant's budget reserves that, not the stored conversation.
        let sentTokens = conversation.reduce(0) { $0 + $1.estimatedTokens }
        let tenant = try context.tenant()
        let slot = try replies.admitReply(of: tenant)
        let settings = replies.settings
        let opening = replies.keyOpening(for: .completion)
        let key = try IdempotencyKey(of: request)
        let running: RunningReply
        var stored: Message?
        if let rawConversationID = body.metadata?["conversation_id"] {
            guard let conversationID = ConversationID(rawValue: rawConversationID) else {
                throw OpenAIError.invalidRequest(
                    "metadata.conversation_id \(ConversationID.rule)", param: "metadata.conversation_id")
            }
            let new = NewReply(
                content: conversation.last { $0.role == .user }?.content ?? "", sentTokens: sentTokens,
                maximumTokens: maximumTokens)
            let begun = try await store.beginReply(
                of: context, agentID: agentID, conversationID: conversationID, new, key: key, settings: settings,
                opening: opening)
            switch begun {
            case .started(let start):
                stored = start.reply
                running = await replies.generate(
                    start, messages: conversation, stopSequences: stopSequences, tenant: tenant, slot: slot,
                    requestID: context.requestID)
            case .earlier(_, let reply):
                _ = consume slot  // a replay starts nothing: its place goes back now
                var response = try await answer(
                    body, following: try followEarlier(reply, tenant: tenant), stored: reply, context: context)
                response.headers[IdempotencyKey.replayedHeader] = "true"
                return response
            }
        } else {
            // Nothing is stored, so a retry has nothing to find: the key is checked, and the call made again.
            let start = try await store.startCompletion(
                of: context,
                NewCompletion(
                    agentID: agentID, promptTokens: sentTokens, maximumTokens: maximumTokens,
                    services: ReplyGenerator.chatServices),
                limits: settings.defaultLimits, budget: settings.contextBudget, opening: opening)
            running = await replies.generate(
                start, messages: conversation, stopSequences: stopSequences, tenant: tenant, slot: slot,
                requestID: context.requestID)
        }
        // The completion's own request is its first follower: there is room.
        guard let progress = await running.follow() else {
            throw OpenAIError(Problem.tooManyFollowers(RunningReply.maximumFollowers))
        }
        return try await answer(body, following: progress, stored: stored, context: context)
    }

    /// The stored conversation's reply to an earlier request with the same idempotency key, followed: as it
    /// runs here, or as it ended. One still running on another instance is a 409, for the client to retry.
    private func followEarlier(_ reply: Message, tenant: UserID) async throws -> ReplyFollower {
        if let running = replies.running.reply(reply.id, of: tenant) {
            guard let progress = await running.follow() else {
                throw OpenAIError(Problem.tooManyFollowers(RunningReply.maximumFollowers))
            }
            return progress
        }
        guard reply.status != .streaming else {
            var problem = Problem.conflict(
                field: IdempotencyKey.header.rawName,
                reason: "the earlier request's reply still runs on another instance of the platform; retry in a moment")
            problem.headers[.retryAfter] = "1"
            throw OpenAIError(problem)
        }
        return ReplyFollower(ended: reply)
    }

    /// The completion's answer, as `progress` tells it, in OpenAI's format: streamed, or whole. A completion
    /// stored in a conversation is named after its reply (`chatcmpl-<message id>`, created when the reply
    /// was), so that a retry's replay answers with the same id as the first answer.
    private func answer(
        _ body: ChatCompletionRequest, following progress: ReplyFollower, stored reply: Message?,
        context: APIRequestContext
    ) async throws -> Response {
        let identity = Identity(
            id: "chatcmpl-\(reply?.id.rawValue ?? UUID.random().uuidString.lowercased())",
            created: Int((reply?.createdAt ?? Date()).timeIntervalSince1970), model: body.model)
        // Until the first token, a failure can still be an HTTP error with its status. The stream goes on
        // where this wait stopped (its iterators share one place), so the body follows the same one.
        // Nothing is written before the first token (or, not streamed, the end), so a client that hangs up
        // meanwhile is noticed by its connection: the wait ends, and with it a stored-nothing call.
        let hangUp = await context.connection.clientHangUp()
        let first = try await Self.unlessHungUp(hangUp) { try await Self.firstTokenOrEnd(of: progress) }
        guard body.stream == true else {
            let end = try await Self.unlessHungUp(hangUp) { await Self.end(of: progress, after: first) }
            guard let end else { throw OpenAIError(Problem.databaseAway) }
            if let shortfall = end.shortfall { throw OpenAIError(shortfall) }
            // A completion the client asked to store is not the answer until it is stored.
            if let reply, end.message == nil { throw OpenAIError(Problem.outcomeNotStored(reply.id)) }
            return try APIResponseEncoder.response(
                ChatCompletionBody(
                    id: identity.id, created: identity.created, model: identity.model,
                    choices: [.init(message: .init(content: end.text), finishReason: Self.openAIFinishReason(end.finishReason))],
                    usage: UsageBody(end.usage)))
        }
        let includeUsage = body.streamOptions?.includeUsage == true
        return Response(
            status: .ok, headers: ServerSentEvents.headers,
            body: .written { writer in
                // Events that follow one another at once share a write: the role's chunk goes with the
                // first text, and the end's two or three events together (a write is a system call).
                var unsent = try ServerSentEvents.event(nil, identity.chunk(role: "assistant", content: ""))
                var next = first
                while let event = next {
                    switch event {
                    case .started:
                        break
                    case .delta(let text):
                        let chunk = try ServerSentEvents.event(nil, identity.chunk(content: text))
                        if unsent.readableBytes == 0 {
                            try await writer.write(chunk)
                        } else {
                            unsent.writeImmutableBuffer(chunk)
                            try await writer.write(unsent)
                            unsent = ByteBuffer()
                        }
                    case .ended(let end):
                        // Cut text ends with an error, never `[DONE]`: a client would take it for the answer.
                        if let shortfall = end.shortfall {
                            unsent.writeImmutableBuffer(try ServerSentEvents.event(nil, OpenAIError(shortfall).body))
                        } else if let reply, end.message == nil {
                            let unstored = OpenAIError(Problem.outcomeNotStored(reply.id))
                            unsent.writeImmutableBuffer(try ServerSentEvents.event(nil, unstored.body))
                        } else {
                            unsent.writeImmutableBuffer(
                                try ServerSentEvents.event(
                                    nil, identity.chunk(finishReason: Self.openAIFinishReason(end.finishReason))))
                            if includeUsage {
                                unsent.writeImmutableBuffer(try ServerSentEvents.event(nil, identity.usageChunk(end.usage)))
                            }
                            unsent.writeImmutableBuffer(ServerSentEvents.event(data: "[DONE]"))
                        }
                    }
                    next = try await Self.nextEvent(of: progress) { try await writer.write(ServerSentEvents.waiting) }
                }
                if unsent.readableBytes > 0 { try await writer.write(unsent) }
                try await writer.finish(nil)
            })
    }

    /// `wait`, ended early if the client hangs up: then a 499, which no one reads and no log counts as the
    /// platform's failure.
    private static func unlessHungUp<Result: Sendable>(
        _ hangUp: ClientHangUp?, _ wait: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        guard let hangUp else { return try await wait() }
        let result = try await hangUp.unlessHungUp(wait)
        if hangUp.happened { throw OpenAIError(ReplyFailure.cancelledMidway) }
        return result
    }

    /// The reason as OpenAI's clients know it. The platform sends no tools, so a model's `tool_calls`
    /// carries none, and a word of another provider (Anthropic's `pause_turn`) is none of OpenAI's: both
    /// are `stop`.
    static func openAIFinishReason(_ stored: String?) -> String {
        switch stored {
        case "length": "length"
        case "content_filter": "content_filter"
        default: "stop"
        }
    }

    /// The next event of `progress`, after a comment line for each silence meanwhile (`waiting`): a thought of
    /// a minute mid-answer would otherwise let a proxy cut the stream, and a client that left go unnoticed
    /// until the next token. OpenAI's SDKs skip comment lines.
    private static func nextEvent(
        of progress: ReplyFollower, waiting: () async throws -> Void
    ) async throws -> ReplyProgress? {
        while let step = await progress.nextStep() {
            switch step {
            case .event(let event): return event
            case .silence: try await waiting()
            }
        }
        return nil
    }

    /// Reads `progress` on to the reply's end, unless `first` was the end.
    private static func end(of progress: ReplyFollower, after first: ReplyProgress?) async -> ReplyEnd? {
        if case .ended(let end) = first { return end }
        for await event in progress {
            if case .ended(let end) = event { return end }
        }
        return nil
    }

    /// Reads `progress` up to the reply's first text or its end, and returns that event (nil if the stream
    /// ended first). A reply that ended in failure without any text failed before its first token: its
    /// failure is thrown, as an HTTP error.
    private static func firstTokenOrEnd(of progress: ReplyFollower) async throws -> ReplyProgress? {
        for await event in progress {
            switch event {
            case .started: continue
            case .delta: return event
            case .ended(let end):
                if end.text.isEmpty, let shortfall = end.shortfall { throw OpenAIError(shortfall) }
                return event
            }
        }
        return nil
    }

    /// The body, read leniently (unknown fields are ignored, as OpenAI's clients expect), within the body limit;
    /// but as strictly as every other body in its shape: a member named twice, which a proxy and the platform
    /// could read differently, or nesting past the limit, is refused.
    private static func decode(_ request: Request, context: APIRequestContext) async throws -> ChatCompletionRequest {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer.readableBytesView)
        do {
            try APIRequestDecoder.refuseBadShape(data)
        } catch let problem as Problem {
            throw OpenAIError(problem)
        }
        do {
            return try JSONDecoder().decode(ChatCompletionRequest.self, from: data)
        } catch let error as DecodingError {
            throw OpenAIError(Problem(decoding: error))
        }
    }

    /// What every chunk of one answer repeats.
    private struct Identity: Sendable {
        let id: String
        let created: Int
        let model: String

        func chunk(role: String? = nil, content: String? = nil, finishReason: String? = nil) -> ChatCompletionChunkBody {
            ChatCompletionChunkBody(
                id: id, created: created, model: model,
                choices: [.init(delta: .init(role: role, content: content), finishReason: finishReason)], usage: nil)
        }

        func usageChunk(_ usage: MessageUsage) -> ChatCompletionChunkBody {
            ChatCompletionChunkBody(id: id, created: created, model: model, choices: [], usage: UsageBody(usage))
        }
    }
}
