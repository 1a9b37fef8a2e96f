import Hummingbird

/// A body that is not JSON of ours, or is encoded already (the metrics, the API contract), with its
/// media type.
struct EncodedDocument: ResponseGenerator, Sendable {
    let bytes: ByteBuffer
    let contentType: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType, .contentLength: String(bytes.readableBytes)],
            body: .init(byteBuffer: bytes))
    }
}
