import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    /// Sends `json` (any JSON-serialisable value) with the tenant's credentials.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, as tenant: Tenant?, json: Any? = nil
    ) async throws -> TestResponse {
        var headers = tenant?.auth ?? [:]
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
        }
        return try await executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    /// Sends raw bytes as the body, with the given content type.
    func sendRaw(
        _ method: HTTPRequest.Method, _ uri: String, as tenant: Tenant?, bytes: [UInt8], contentType: String? = "application/json"
    ) async throws -> TestResponse {
        var headers = tenant?.auth ?? [:]
        if let contentType { headers[.contentType] = contentType }
        return try await executeRequest(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes))
    }
}

extension TestResponse {
    /// The body as a JSON object.
    func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        return try #require(value as? [String: Any], sourceLocation: sourceLocation)
    }

    /// The ids of a list response's `data`.
    func ids(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let data = try #require(try object()["data"] as? [[String: Any]], sourceLocation: sourceLocation)
        return data.compactMap { $0["id"] as? String }
    }

    var text: String { String(buffer: body) }

    /// Whether this is an RFC 9457 problem with `status`.
    func isProblem(_ status: HTTPResponse.Status) -> Bool {
        guard self.status == status, headers[.contentType] == "application/problem+json",
              let object = try? object(), object["status"] as? Int == Int(status.code),
              (object["type"] as? String)?.hasPrefix("https://agent-platform.dev/problems/") == true
        else { return false }
        return true
    }
}
