import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The console's templates, compiled into the binary, and how a page becomes a response.
struct ConsolePages: Sendable {
    let library: MustacheLibrary
    let assets: ConsoleAssets

    /// Parses every template once, at start-up; a template that does not parse stops the process there.
    init(settings: ConsoleSettings = ConsoleSettings()) throws {
        let sources: [String: [UInt8]] = [
            "layout": PackageResources.layout_mustache,
            "signin": PackageResources.signin_mustache,
            "error": PackageResources.error_mustache,
            "agents": PackageResources.agents_mustache,
            "agent": PackageResources.agent_mustache,
            "agent-form": PackageResources.agent_form_mustache,
            "connections": PackageResources.connections_mustache,
            "connection": PackageResources.connection_mustache,
            "connection-form": PackageResources.connection_form_mustache,
            "chat": PackageResources.chat_mustache,
            "search": PackageResources.search_mustache,
            "usage": PackageResources.usage_mustache,
            "audit": PackageResources.audit_mustache,
            "conversations": PackageResources.conversations_mustache,
            "tokens": PackageResources.tokens_mustache,
        ]
        MustacheContentTypes.register(ConsoleHTML(), named: ConsoleHTML.name)
        var library = MustacheLibrary()
        for (name, bytes) in sources {
            try library.register(ConsoleHTML.pragma + String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
        self.assets = ConsoleAssets(sessionIdleSeconds: Int(settings.idleTimeout.components.seconds))
    }

    /// The page `template` rendered with `model`, with the console's headers.
    func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        Self.html(library.render(model, withTemplate: template) ?? "", status: status, headers: extra)
    }

    /// `html`, a page or a part of one, with the console's headers.
    static func html(_ html: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = ConsoleHeaders.page
        headers[.contentType] = "text/html; charset=utf-8"
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page that says what went wrong, in the API's words, with a way back.
    func error(_ status: HTTPResponse.Status, title: String, detail: String, visit: ConsoleVisit?) -> Response {
        let model = ErrorPage(
            chrome: Chrome(title: title, section: .agents, assets: assets, visit: visit), status: Int(status.code),
            title: title, detail: detail)
        return page("error", model, status: status)
    }

    /// A redirect after a form post (303: the browser follows it with GET).
    static func redirect(to location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = ConsoleHeaders.page
        headers[.location] = location
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }
}

/// The model of `error.mustache`.
struct ErrorPage: Sendable {
    let chrome: Chrome
    let status: Int
    let title: String
    let detail: String
}
