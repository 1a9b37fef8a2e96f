import Hummingbird

/// `GET /openapi.json`: the API's description, served as kept in `OpenAPIDocument`.
struct OpenAPIController: Sendable {
    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("openapi.json", use: document)
    }

    @Sendable func document(_ request: Request, context: APIRequestContext) async throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(OpenAPIDocument.json.utf8.count)],
            body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
}
