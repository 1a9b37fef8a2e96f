import AgentProviders
import AgentReplies
import AgentStore
import Hummingbird
import Logging

/// What the API shares with a companion: the same store and reply generator, the same credential checks,
/// the same rules for input, and its chat routes, so that a companion adds no second path to the data.
public struct APIParts: Sendable {
    public let store: AgentStore
    public let replies: ReplyGenerator
    public let credentials: CredentialVerifier
    public let configuration: APIConfiguration
    let failures: FailedRequestLog
    /// The API's rate limits, whose buckets a companion's routes share.
    let rateLimits: RateLimitMiddleware
    /// The API's chat routes, whose slots for replies running elsewhere a companion's routes share.
    let chat: ReplyController

    /// Logs a failure the companion answers itself (as a page) as the API logs its own: an unknown error
    /// at error by its type alone, 503s once per cause and interval (``FailedRequestLog``).
    public func logFailure(_ error: any Error, logger: Logger) {
        failures.record(error, as: Problem(from: error, bodyLimit: 0), logger: logger)
    }

    /// Mounts the routes a chat page calls (replies, regenerate, cancel, reattach, feedback) under `group`,
    /// at the paths they have under `/v1`. The caller authenticates the group's requests (see
    /// `APIRequestContext.authenticate(as:)`); each handler then runs as that tenant.
    public func addChatRoutes(to group: RouterGroup<APIRequestContext>) {
        chat.addRoutes(conversations: group.group("agents/{agent_id}/conversations"), messages: group.group("messages"))
        FeedbackController(store: store).addRoutes(messages: group.group("messages"), agents: group.group("agents"))
    }

    /// `group` behind the API's rate limits (per client address, per credential, and failed sign-ins per
    /// address, which a sign-in form answering 401 counts, as does a refusal noted in
    /// `APIRequestContext.credentialOutcome`), with the API's buckets: a client's allowance is one,
    /// whichever routes spend it. `carriesCredential` tells the
    /// requests that present a credential besides a bearer token: once their address has failed, each holds
    /// one of its failures left while it runs, so that guesses sent at once cannot outrun the allowance.
    public func rateLimited(
        _ group: RouterGroup<APIRequestContext>, carriesCredential: @escaping @Sendable (Request) -> Bool = { _ in false }
    ) -> RouterGroup<APIRequestContext> {
        var limits = rateLimits
        limits.carriesOtherCredential = carriesCredential
        return group.add(middleware: limits)
    }

    /// Checks a chat connection's `metadata.base_url` as `createConnection` does (SSRF guard included);
    /// throws the API's 422 otherwise, which `RefusedRequest` reads.
    public func checkProviderAddress(service: String, metadata: JSONValue?, for tenant: UserID) async throws {
        try await ConnectionController(store: store, replies: replies).checkBaseURL(
            service: service, metadata: metadata, for: tenant)
    }

    /// The models a chat connection's key may use, from its provider, as `listConnectionModels` lists them
    /// for the request's tenant; throws the API's problem otherwise, which `RefusedRequest` reads.
    public func modelNames(of connectionID: ConnectionID, context: APIRequestContext) async throws -> [String] {
        let connection = try await store.withTenant(of: context) { try await $0.connection(connectionID) }
        return try await ConnectionController(store: store, replies: replies).modelNames(
            of: connection, requestID: context.requestID)
    }

    /// Stores the user's message in the conversation and starts the agent's reply, as `createReply` does; the reply
    /// runs on (and can be followed or cancelled through the chat routes) until it ends.
    public func startReply(
        of context: APIRequestContext, agentID: AgentID, conversationID: ConversationID, _ new: NewReply
    ) async throws -> MessageID {
        let tenant = try context.tenant()
        let slot = try replies.admitReply(of: tenant)
        let settings = replies.settings
        let opening = replies.keyOpening(for: .reply)
        let start = try await store.startProviderCall(of: context) {
            try await $0.beginReply(
                agentID: agentID, conversationID: conversationID, new,
                limits: settings.defaultLimits, budget: settings.contextBudget, opening: opening)
        }
        _ = await replies.generate(start, tenant: tenant, slot: slot, requestID: context.requestID)
        return start.reply.id
    }
}
