import Foundation
import Hummingbird
import NIOCore

/// The request context's `RequestDecoder`: a JSON body within the body limit, nesting no deeper than
/// ``APIJSON/maximumDepth``, with no field its type does not name and no member named twice. Every failure is a ``Problem`` that
/// names every field at fault, never a `DecodingError`, whose description may quote the input.
public struct APIRequestDecoder: RequestDecoder, Sendable {
    public init() {}

    public func decode<Body: Decodable>(_ type: Body.Type, from request: Request, context: some RequestContext) async throws
        -> Body
    {
        guard let data = try await Self.body(of: request, limit: context.maxUploadSize) else {
            throw Problem.badRequest("A JSON request body is required.", errors: [.init(field: "body", reason: "is required")])
        }
        return try Self.decode(type, from: data)
    }

    /// Like `decode`, for operations whose body is optional: `nil` when the request has none.
    func decodeIfPresent<Body: Decodable>(_ type: Body.Type, from request: Request, context: some RequestContext) async throws
        -> Body?
    {
        let headers = request.headers
        if headers[.contentType] == nil,
            headers[.contentLength] == "0" || headers[.contentLength] == nil && headers[.transferEncoding] == nil
        {
            return nil
        }
        return try await Self.body(of: request, limit: context.maxUploadSize).map { try Self.decode(type, from: $0) }
    }

    // MARK: Body

    /// The body's bytes: 415 unless it is `application/json`, 413 past `limit`; `nil` when empty.
    static func body(of request: Request, limit: Int) async throws -> Data? {
        guard isJSON(request.headers[.contentType]) else { throw Problem.unsupportedMediaType() }
        // A declared length over the limit is refused before reading a byte of it.
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Problem.contentTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem.contentTooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { return nil }
        return Data(buffer.readableBytesView)
    }

    /// `application/json`, in UTF-8 (RFC 8259 knows no other encoding): a `charset` parameter, when there
    /// is one, must name it or ASCII (a subset), where a body in another was read as UTF-8 and refused as
    /// "not valid JSON".
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.dropFirst().allSatisfy { parameter in
            guard parameter.hasPrefix("charset=") else { return true }
            let charset = parameter.dropFirst("charset=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return ["utf-8", "utf8", "us-ascii", "ascii"].contains(charset)
        }
    }

    // MARK: Decoding

    static func decode<Body: Decodable>(_ type: Body.Type, from data: Data) throws -> Body {
        try refuseBadShape(data)
        // A body type that does not list its fields is a mistake of ours: a 500, not a lenient decode.
        guard let fields = (type as? any APIRequestBody.Type)?.fieldNames else { throw Problem.internalError() }
        return try decodeNamingEveryField(type, from: data, fields: fields, decoder: APIJSON.decoder())
    }

    /// Throws the 400 for a body nested too deeply or naming a member twice (``APIJSON/shapeProblem(_:)``),
    /// before any decoder reads it.
    static func refuseBadShape(_ data: Data) throws {
        switch APIJSON.shapeProblem(data) {
        case .tooDeep:
            throw Problem.badRequest(
                "The request body nests deeper than \(APIJSON.maximumDepth) levels.",
                errors: [.init(field: "body", reason: "is nested too deeply")])
        case .repeatedMember(let path):
            throw Problem.badRequest(fields: [.init(field: Problem.shownFieldName(path), reason: "appears more than once")])
        case nil:
            break
        }
    }
}
