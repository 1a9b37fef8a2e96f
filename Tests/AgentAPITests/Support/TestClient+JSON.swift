import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    /// Sends `json` (any JSON-serialisable value) with the tenant's credentials; the response is held to
    /// the document (``Contract``).
    func send(
        _ method: HTTPRequest.Method, _ uri: String, as tenant: Tenant?, json: Any? = nil, headers extra: HTTPFields = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> TestResponse {
        var headers = tenant?.auth ?? [:]
        headers.append(contentsOf: extra)
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
        }
        return try await exchange(method, uri, headers: headers, body: body, sourceLocation: sourceLocation)
    }

    /// Sends raw bytes as the body, with the given content type.
    func sendRaw(
        _ method: HTTPRequest.Method, _ uri: String, as tenant: Tenant?, bytes: [UInt8],
        contentType: String? = "application/json",
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> TestResponse {
        var headers = tenant?.auth ?? [:]
        if let contentType { headers[.contentType] = contentType }
        return try await exchange(method, uri, headers: headers, body: ByteBuffer(bytes: bytes), sourceLocation: sourceLocation)
    }

    /// Creates an agent of `tenant` named `name` with a short system prompt; its id.
    func createAgent(
        as tenant: Tenant, name: String = "a", sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let agent = try await send(
            .post, "/v1/agents", as: tenant, json: ["name": name, "system_prompt": "p"], sourceLocation: sourceLocation)
        return try agent.decode(Schemas.Agent.self).id
    }

    /// Any request, its response held to the document.
    func exchange(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: ByteBuffer? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> TestResponse {
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: body)
        Contract.check(response, to: method, uri, sourceLocation: sourceLocation)
        return response
    }
}

extension TestResponse {
    /// The body as the type generated for its schema, decoded as the OpenAPI runtime would.
    func decode<Body: Decodable>(_ type: Body.Type = Body.self) throws -> Body {
        try Contract.decoder().decode(type, from: Data(body.readableBytesView))
    }

    /// The chunks of an OpenAI-compatible stream: the data of every event but `[DONE]`, as
    /// `ChatCompletionChunk`.
    func chatCompletionChunks() throws -> [Schemas.ChatCompletionChunk] {
        try StreamedEvent.parse(text).filter { $0.data != "[DONE]" }.map {
            try Contract.decoder().decode(Schemas.ChatCompletionChunk.self, from: Data($0.data.utf8))
        }
    }

    /// The ids of a listing page.
    func ids<Page: ListedPage>(_ type: Page.Type) throws -> [String] {
        try decode(type).ids
    }

    /// The body as a problem.
    func problem() throws -> Schemas.Problem {
        try decode(Schemas.Problem.self)
    }

    /// The first field a problem names.
    func problemField() throws -> String? {
        try problem().errors?.first?.field
    }

    var text: String { String(buffer: body) }

    /// Whether this is an RFC 9457 problem with `status`.
    func isProblem(_ status: HTTPResponse.Status) -> Bool {
        guard self.status == status, headers[.contentType] == "application/problem+json",
            let problem = try? problem(), problem.status == Int(status.code),
            problem._type.hasPrefix("https://agent-platform.dev/problems/")
        else { return false }
        return true
    }
}
