import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// Decodes the JSON body: 415 unless it is `application/json`, 413 past the body limit, 400 when
    /// malformed or of the wrong shape.
    func decodeJSON<Body: Decodable>(as type: Body.Type, context: APIRequestContext) async throws -> Body {
        guard let body = try await jsonBody(context: context) else {
            throw Problem.badRequest("A JSON request body is required.", errors: [.init(field: "body", reason: "is required")])
        }
        return try decode(type, from: body)
    }

    /// Like `decodeJSON`, for routes whose body is optional: `nil` when there is none.
    func decodeJSONIfPresent<Body: Decodable>(as type: Body.Type, context: APIRequestContext) async throws -> Body? {
        if headers[.contentType] == nil, headers[.contentLength] == "0" || headers[.contentLength] == nil && headers[.transferEncoding] == nil {
            return nil
        }
        return try await jsonBody(context: context).map { try decode(type, from: $0) }
    }

    // MARK: Body

    private func jsonBody(context: APIRequestContext) async throws -> Data? {
        guard Self.isJSON(headers[.contentType]) else { throw Problem.unsupportedMediaType() }
        let limit = context.maxUploadSize
        // A declared length over the limit is refused before reading a byte of it.
        if let declared = headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Problem.contentTooLarge(limit: limit)
        }
        let buffer = try await body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else { return nil }
        return Data(buffer.readableBytesView)
    }

    private func decode<Body: Decodable>(_ type: Body.Type, from data: Data) throws -> Body {
        guard APIJSON.depthIsAcceptable(data) else {
            throw Problem.badRequest("The request body nests deeper than \(APIJSON.maximumDepth) levels.",
                                     errors: [.init(field: "body", reason: "is nested too deeply")])
        }
        do {
            return try APIJSON.decoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw Problem(decoding: error)
        }
    }

    /// `application/json`, with or without parameters such as `charset`.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
