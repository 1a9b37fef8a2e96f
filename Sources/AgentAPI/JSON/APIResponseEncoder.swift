import HTTPTypes
import Hummingbird
import NIOCore

/// The request context's `ResponseEncoder`: every body a handler returns, and every problem, is written
/// by ``JSONStreamEncoder``, so the API has one JSON writer and one set of conventions.
public struct APIResponseEncoder: ResponseEncoder, Sendable {
    static let jsonMediaType = "application/json; charset=utf-8"

    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        try Self.response(value)
    }

    /// `value` as a complete response: the body encoded at once, so its length is known.
    static func response(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, contentType: String = jsonMediaType,
        headers: HTTPFields = [:]
    ) throws -> Response {
        let body = try JSONStreamEncoder.encode(value)
        var fields = headers
        fields[.contentType] = contentType
        fields[.contentLength] = String(body.readableBytes)
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}
