import Hummingbird

extension AccountExport: ResponseGenerator {
    /// A download whose body is written as the snapshot is read: no length, nothing cached.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: Self.headers, body: .written { writer in try await write(to: &writer) })
    }

    static let headers: HTTPFields = [
        .contentType: APIResponseEncoder.jsonMediaType,
        .contentDisposition: "attachment; filename=\"agent-platform-export.json\"",
        .cacheControl: "no-store",
    ]
}
