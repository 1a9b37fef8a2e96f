import Hummingbird

/// `GET /openapi.json` and `GET /openapi.yaml`: the API contract, in either form.
struct OpenAPIController: Sendable {
    let document: OpenAPIDocument

    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("openapi.json", use: json)
        router.get("openapi.yaml", use: yaml)
    }

    // MARK: Handlers

    /// `getOpenAPIJSON`.
    @Sendable func json(_ request: Request, context: APIRequestContext) async throws -> EncodedDocument {
        EncodedDocument(bytes: document.json, contentType: APIResponseEncoder.jsonMediaType)
    }

    /// `getOpenAPIYAML`, as written (RFC 9512's media type).
    @Sendable func yaml(_ request: Request, context: APIRequestContext) async throws -> EncodedDocument {
        EncodedDocument(bytes: document.yaml, contentType: "application/yaml")
    }
}
