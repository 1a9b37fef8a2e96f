import AgentAPI
import AgentProviders
import AgentReplies
import AgentStore
import Foundation
import Hummingbird

/// `/agents`: list, create, edit and delete agents; link and unlink connections; start conversations.
struct AgentPages: Sendable {
    let api: APIParts
    let pages: ConsolePages

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("agents", use: list)
        group.post("agents", use: create)
        group.get("agents/{agent_id}", use: show)
        group.post("agents/{agent_id}", use: update)
        group.post("agents/{agent_id}/delete", use: delete)
        group.post("agents/{agent_id}/links", use: link)
        group.post("agents/{agent_id}/links/{connection_id}/delete", use: unlink)
        group.post("agents/{agent_id}/links/{connection_id}/move-up", use: moveUp)
    }

    /// The fields of the agent form, named as the API's bodies name them.
    static let fields = ["name", "description", "system_prompt", "model", "temperature", "max_tokens"]

    // MARK: Models

    struct AgentRow: Sendable {
        let id: String
        let name: String
        let description: String?
        let model: String
        let created: String

        init(_ agent: Agent) {
            id = agent.id.rawValue
            name = agent.name
            description = agent.description
            model = agent.model
            created = ConsoleFormat.time(agent.createdAt)
        }
    }

    struct ListPage: Sendable {
        let chrome: Chrome
        /// The tenant's latest conversations with any agent, on the first page only.
        let recent: [RecentRow]
        let hasRecent: Bool
        let agents: [AgentRow]
        let next: String?
        let form: FormState
        let canWrite: Bool
        let formAction = "/agents"
        let submitLabel = "Create agent"
        let modelSource: ModelSource?
    }

    /// The chat connection whose provider the agent form's model field may ask for the models its key may
    /// use (asked only when the reader asks: it is a call to the provider). The agent's first one in call order,
    /// or, for a new agent, the tenant's first.
    struct ModelSource: Sendable {
        let href: String
        let name: String

        init?(_ connections: [APIConnection]) {
            guard let connection = connections.first(where: { ChatWireProtocol(service: $0.service) != nil }) else {
                return nil
            }
            href = "/connections/\(ConsoleFormat.segment(connection.id.rawValue))/models"
            name = connection.name
        }
    }

    struct RecentRow: Sendable {
        let href: String
        let title: String
        let agent: String
        let last: String

        init(_ recent: RecentConversation) {
            let conversation = recent.conversation
            href = ChatPages.path(conversation.agentID, conversation.id)
            title = ConsoleFormat.conversationTitle(conversation.title, id: conversation.id)
            agent = recent.agentName
            last = ConsoleFormat.time(conversation.lastMessageAt)
        }
    }

    /// How many of the latest conversations the agents page shows above the agents.
    static let recentConversations = 8

    struct ConnectionRow: Sendable {
        let id: String
        let name: String
        let service: String
        let hint: String
        /// A linked connection after the first: it can be tried earlier.
        var canMoveUp = false
    }

    struct ConversationRow: Sendable {
        let href: String
        let title: String
        let messages: Int
        let last: String
    }

    struct DetailPage: Sendable {
        let chrome: Chrome
        let agent: AgentRow
        let form: FormState
        let linked: [ConnectionRow]
        let linkable: [ConnectionRow]
        let conversations: [ConversationRow]
        let next: String?
        let canWrite: Bool
        let submitLabel = "Save"
        let formAction: String
        let hasLinkable: Bool
        let modelSource: ModelSource?
    }

    // MARK: Handlers

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await renderList(
            request, context: context, form: FormState(["temperature": "0.7", "model": "gpt-4o-mini"]), status: .ok)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        let values = Self.values(form)
        do {
            let new = try Self.newAgent(values)
            let agent = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
                try await $0.createAgent(new)
            }
            return ConsolePages.redirect(to: "/agents/\(ConsoleFormat.segment(agent.id.rawValue))")
        } catch {
            let (form, status) = try FormState.refusal(error, values: values)
            return try await renderList(request, context: context, form: form, status: status)
        }
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await renderDetail(request, context: context, form: nil, status: .ok)
    }

    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let id = try context.id(AgentID.self, "agent_id", of: "agent")
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        let values = Self.values(form)
        do {
            let new = try Self.newAgent(values)
            let changes = AgentChanges(
                name: new.name, description: .some(new.description), systemPrompt: new.systemPrompt, model: new.model,
                temperature: new.temperature, maxTokens: .some(new.maxTokens))
            _ = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
                try await $0.updateAgent(id, changes)
            }
            return ConsolePages.redirect(to: "/agents/\(ConsoleFormat.segment(id.rawValue))")
        } catch {
            let (form, status) = try FormState.refusal(error, values: values)
            return try await renderDetail(request, context: context, form: form, status: status)
        }
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let id = try context.id(AgentID.self, "agent_id", of: "agent")
        // Its running replies stop with it, as through the API: no call runs on, billed, for them.
        let streaming = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            try await $0.deleteAgent(id)
        }
        await api.replies.stop(streaming, of: visit.userID)
        return ConsolePages.redirect(to: "/agents?done=agent-deleted")
    }

    @Sendable func link(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        guard let raw = form.text("connection_id"), let connectionID = ConnectionID(rawValue: raw) else {
            throw HTTPError(.unprocessableContent, message: "Choose a connection to link.")
        }
        _ = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            try await $0.attachConnection(agentID: agentID, connectionID: connectionID)
        }
        return ConsolePages.redirect(to: "/agents/\(ConsoleFormat.segment(agentID.rawValue))#connections")
    }

    @Sendable func unlink(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let connectionID = try context.id(ConnectionID.self, "connection_id", of: "connection")
        try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            try await $0.detachConnection(agentID: agentID, connectionID: connectionID)
        }
        return ConsolePages.redirect(to: "/agents/\(ConsoleFormat.segment(agentID.rawValue))#connections")
    }

    /// Tries a linked connection before the one now tried before it.
    @Sendable func moveUp(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let connectionID = try context.id(ConnectionID.self, "connection_id", of: "connection")
        _ = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            try await $0.moveConnectionEarlier(connectionID, ofAgent: agentID)
        }
        return ConsolePages.redirect(to: "/agents/\(ConsoleFormat.segment(agentID.rawValue))#connections")
    }

    // MARK: Rendering

    private func renderList(
        _ request: Request, context: APIRequestContext, form: FormState, status: HTTPResponse.Status
    ) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let pageRequest = PageRequest(limit: 50, cursor: Self.cursor(request), order: .descending)
        let canWrite = visit.scopes.allow(.write)
        let (user, page, recent, connections) = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            (
                try await $0.currentUserIfExists(), try await $0.agents(pageRequest),
                pageRequest.cursor == nil
                    ? try await $0.recentConversations(limit: Self.recentConversations, after: nil).items : [],
                // Only for the form, which a reader who may not write is not shown.
                canWrite ? try await $0.connections(PageRequest(limit: 100, order: .ascending)).items : []
            )
        }
        let model = ListPage(
            chrome: Chrome(title: "Agents", section: .agents, assets: pages.assets, visit: visit, email: user?.email),
            recent: recent.map(RecentRow.init), hasRecent: !recent.isEmpty,
            agents: page.items.map(AgentRow.init),
            next: page.hasMore ? page.items.last.map { "/agents?after=\(ConsoleFormat.segment($0.id.rawValue))" } : nil,
            form: form, canWrite: canWrite, modelSource: ModelSource(connections))
        return pages.page("agents", model, status: status)
    }

    private func renderDetail(
        _ request: Request, context: APIRequestContext, form: FormState?, status: HTTPResponse.Status
    ) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let id = try context.id(AgentID.self, "agent_id", of: "agent")
        let conversationsPage = PageRequest(limit: 50, cursor: Self.cursor(request), order: .descending)
        let (user, agent, linked, connections, conversations) = try await api.store.withTenant(
            visit.userID, requestID: context.requestID
        ) { session in
            let agent = try await session.agent(id)
            return (
                try await session.currentUserIfExists(), agent,
                // In the order replies try them, which the page says they are in.
                try await session.connectionsInCallOrder(ofAgent: id),
                try await session.connections(PageRequest(limit: 100, order: .descending)),
                try await session.conversations(agentID: id, conversationsPage)
            )
        }
        let linkedIDs = Set(linked.map(\.id))
        let row = { (connection: APIConnection) in
            ConnectionRow(
                id: connection.id.rawValue, name: connection.name, service: connection.service, hint: connection.apiKeyHint)
        }
        let model = DetailPage(
            chrome: Chrome(
                title: agent.name, section: .agents, withinSection: true, assets: pages.assets, visit: visit, email: user?.email),
            agent: AgentRow(agent), form: form ?? Self.form(agent),
            linked: linked.enumerated().map { index, connection in
                var shown = row(connection)
                shown.canMoveUp = index > 0
                return shown
            },
            linkable: connections.items.filter { !linkedIDs.contains($0.id) }.map(row),
            conversations: conversations.items.map { conversation in
                ConversationRow(
                    href: ChatPages.path(id, conversation.id),
                    title: ConsoleFormat.conversationTitle(conversation.title, id: conversation.id),
                    messages: conversation.messageCount, last: ConsoleFormat.time(conversation.lastMessageAt))
            },
            next: conversations.hasMore
                ? conversations.items.last.map {
                    "/agents/\(ConsoleFormat.segment(id.rawValue))?after=\(ConsoleFormat.segment($0.id.rawValue))"
                }
                : nil,
            canWrite: visit.scopes.allow(.write), formAction: "/agents/\(ConsoleFormat.segment(id.rawValue))",
            hasLinkable: connections.items.contains { !linkedIDs.contains($0.id) }, modelSource: ModelSource(linked))
        return pages.page("agent", model, status: status)
    }

    // MARK: Form

    static func cursor(_ request: Request) -> PageRequest.Cursor? {
        request.queryFields["after"].map { .after($0) }
    }

    static func values(_ form: FormBody) -> [String: String] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0, form[$0] ?? "") })
    }

    static func form(_ agent: Agent) -> FormState {
        FormState([
            "name": agent.name, "description": agent.description ?? "", "system_prompt": agent.systemPrompt,
            "model": agent.model, "temperature": String(agent.temperature),
            "max_tokens": agent.maxTokens.map(String.init) ?? "",
        ])
    }

    /// The form as a new agent; numbers that do not parse are refused with the API's wording for a value
    /// of the wrong type.
    static func newAgent(_ values: [String: String]) throws -> NewAgent {
        let text = { (name: String) -> String? in
            let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return value.isEmpty ? nil : value
        }
        // A value that is no number is named with every other fault of the form, not alone.
        var unreadable: [String: String] = [:]
        var temperature: Double?
        if let raw = text("temperature") {
            temperature = Double(raw)
            if temperature == nil { unreadable["temperature"] = "must be a number" }
        }
        var maxTokens: Int?
        if let raw = text("max_tokens") {
            maxTokens = Int(raw)
            if maxTokens == nil { unreadable["max_tokens"] = "must be an integer" }
        }
        let agent = NewAgent(
            name: values["name"] ?? "", description: text("description"), systemPrompt: values["system_prompt"] ?? "",
            model: text("model"), temperature: temperature, maxTokens: maxTokens)
        guard unreadable.isEmpty else {
            do {
                try agent.validate()
            } catch {
                for (field, reason) in RefusedRequest(error).fieldErrors where unreadable[field] == nil {
                    unreadable[field] = reason
                }
            }
            throw RefusedInput(errors: unreadable)
        }
        return agent
    }
}
