import AgentAPI
import AgentProviders
import AgentStore
import Foundation
import Hummingbird

/// `/connections`: the tenant's provider keys. The key is a write-only field: after it is stored, pages
/// show only its hint and fingerprint, as the API does.
struct ConnectionPages: Sendable {
    let api: APIParts
    let pages: ConsolePages

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("connections", use: list)
        group.post("connections", use: create)
        group.get("connections/{connection_id}", use: show)
        group.post("connections/{connection_id}", use: update)
        group.post("connections/{connection_id}/delete", use: delete)
        group.get("connections/{connection_id}/models", use: models)
    }

    /// The fields of the connection form; `base_url` is `metadata.base_url` in the API.
    static let fields = ["name", "service", "api_key", "base_url"]

    // MARK: Models

    struct ConnectionRow: Sendable {
        let id: String
        let name: String
        let service: String
        let hint: String
        let fingerprint: String
        let baseURL: String?
        let updated: String

        init(_ connection: APIConnection) {
            id = connection.id.rawValue
            name = connection.name
            service = connection.service
            hint = connection.apiKeyHint
            // `hmac:` and 16 hex digits; the bound keeps an odd stored value from stretching the page.
            fingerprint = String(connection.apiKeyFingerprint.prefix(24))
            baseURL = connection.baseURL
            updated = ConsoleFormat.time(connection.updatedAt)
        }
    }

    struct ListPage: Sendable {
        let chrome: Chrome
        let connections: [ConnectionRow]
        let next: String?
        let form: FormState
        let canWrite: Bool
        let formAction = "/connections"
        let submitLabel = "Save connection"
        let keepsKey = false
    }

    struct DetailPage: Sendable {
        let chrome: Chrome
        let connection: ConnectionRow
        let form: FormState
        let canWrite: Bool
        let formAction: String
        let submitLabel = "Save"
        let keepsKey = true
        /// The provider's answer, once asked for.
        let models: ModelList?
        let isChat: Bool
        /// The agents that may use its key, each linked to its page.
        let agents: [LinkedAgent]
    }

    struct LinkedAgent: Sendable {
        let id: String
        let name: String
    }

    /// The models a connection's provider listed for its key, or why it did not.
    struct ModelList: Sendable {
        let names: [String]
        let failure: String?
        /// Stored, not computed: templates read stored properties only.
        let isEmpty: Bool

        init(names: [String], failure: String?) {
            self.names = names
            self.failure = failure
            isEmpty = names.isEmpty && failure == nil
        }
    }

    // MARK: Handlers

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await renderList(request, context: context, form: FormState(["service": "openai"]), status: .ok)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        var values = Self.values(form)
        do {
            let metadata = Self.metadata(baseURL: form.text("base_url"), keeping: nil)
            let service = form.text("service") ?? ""
            try await api.checkProviderAddress(service: service, metadata: metadata, for: visit.userID)
            let new = NewAPIConnection(
                name: form.text("name") ?? "", service: service, apiKey: form["api_key"] ?? "", metadata: metadata)
            let connection = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
                try await $0.createConnection(new)
            }
            return ConsolePages.redirect(to: "/connections/\(ConsoleFormat.segment(connection.id.rawValue))")
        } catch {
            values["api_key"] = ""  // never sent back to the browser
            let (form, status) = try FormState.refusal(error, values: values)
            return try await renderList(request, context: context, form: form, status: status)
        }
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await renderDetail(request, context: context, form: nil, status: .ok)
    }

    /// The connection's page with the models its provider lists for the key (which checks the key), or the
    /// provider's refusal in the API's words.
    @Sendable func models(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        let models: ModelList
        do {
            models = ModelList(names: try await api.modelNames(of: id, context: context), failure: nil)
        } catch {
            let refused = RefusedRequest(error, bodyLimit: context.maxUploadSize)
            // What the provider, or the tenant's share of calls, answered is said on the page; anything else
            // (the connection missing, the database away) is the page's own failure, logged as such.
            guard [422, 429, 502, 504].contains(refused.status) else { throw error }
            models = ModelList(names: [], failure: refused.detail)
        }
        return try await renderDetail(request, context: context, form: nil, status: .ok, models: models)
    }

    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        var values = Self.values(form)
        do {
            let stored = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
                try await $0.connection(id)
            }
            let service = form.text("service") ?? stored.service
            let metadata = Self.metadata(baseURL: form.text("base_url"), keeping: stored.metadata)
            try await api.checkProviderAddress(service: service, metadata: metadata, for: visit.userID)
            // An empty key field keeps the sealed key: the page never had it to send back.
            let changes = APIConnectionChanges(
                name: form.text("name") ?? "", service: service, apiKey: form.text("api_key"), metadata: .some(metadata))
            _ = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
                try await $0.updateConnection(id, changes, checked: stored)
            }
            return ConsolePages.redirect(to: "/connections/\(ConsoleFormat.segment(id.rawValue))")
        } catch {
            values["api_key"] = ""
            let (form, status) = try FormState.refusal(error, values: values)
            return try await renderDetail(request, context: context, form: form, status: status)
        }
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        try await api.store.withTenant(visit.userID, requestID: context.requestID) { try await $0.deleteConnection(id) }
        return ConsolePages.redirect(to: "/connections?done=connection-deleted")
    }

    // MARK: Rendering

    private func renderList(
        _ request: Request, context: APIRequestContext, form: FormState, status: HTTPResponse.Status
    ) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let pageRequest = PageRequest(limit: 50, cursor: AgentPages.cursor(request), order: .descending)
        let (user, page) = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            (try await $0.currentUserIfExists(), try await $0.connections(pageRequest))
        }
        let model = ListPage(
            chrome: Chrome(title: "Connections", section: .connections, assets: pages.assets, visit: visit, email: user?.email),
            connections: page.items.map(ConnectionRow.init),
            next: page.hasMore ? page.items.last.map { "/connections?after=\(ConsoleFormat.segment($0.id.rawValue))" } : nil,
            form: form,
            canWrite: visit.scopes.allow(.write))
        return pages.page("connections", model, status: status)
    }

    private func renderDetail(
        _ request: Request, context: APIRequestContext, form: FormState?, status: HTTPResponse.Status,
        models: ModelList? = nil
    ) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        let (user, connection, agents) = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            (
                try await $0.currentUserIfExists(), try await $0.connection(id),
                try await $0.agents(usingConnection: id, PageRequest(limit: 100, order: .ascending))
            )
        }
        let row = ConnectionRow(connection)
        let model = DetailPage(
            chrome: Chrome(
                title: connection.name, section: .connections, withinSection: true, assets: pages.assets, visit: visit,
                email: user?.email),
            connection: row,
            form: form ?? FormState(["name": row.name, "service": row.service, "api_key": "", "base_url": row.baseURL ?? ""]),
            canWrite: visit.scopes.allow(.write), formAction: "/connections/\(ConsoleFormat.segment(row.id))",
            models: models, isChat: ChatWireProtocol(service: row.service) != nil,
            agents: agents.items.map { LinkedAgent(id: ConsoleFormat.segment($0.id.rawValue), name: $0.name) })
        return pages.page("connection", model, status: status)
    }

    // MARK: Metadata

    static func values(_ form: FormBody) -> [String: String] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0, form[$0] ?? "") })
    }

    /// `keeping`'s members with `base_url` set or removed; nil when nothing is left.
    static func metadata(baseURL: String?, keeping stored: JSONValue?) -> JSONValue? {
        var members: [String: JSONValue] = [:]
        if case .object(let existing) = stored { members = existing }
        members["base_url"] = baseURL.map(JSONValue.string)
        return members.isEmpty ? nil : .object(members)
    }
}
