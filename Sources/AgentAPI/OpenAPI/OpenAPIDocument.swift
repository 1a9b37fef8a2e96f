import NIOCore

/// The API contract, `openapi.yaml`: compiled into the binary, and converted to JSON once, at start-up.
///
/// The YAML is the source of truth: the tests generate their response types from it, and `OpenAPITests`
/// fails when its operations and the router's routes disagree.
struct OpenAPIDocument: Sendable {
    /// The document as written.
    let yaml: ByteBuffer
    /// The same document as JSON, members in the order the YAML gives them.
    let json: ByteBuffer

    init(yaml text: String) throws {
        yaml = ByteBuffer(string: text)
        json = try JSONStreamEncoder.encode(try YAMLAsJSON(document: text), capacity: text.utf8.count)
    }

    /// The embedded document, parsed on first use; a malformed one fails the router's construction.
    static let embedded = Result { try OpenAPIDocument(yaml: String(decoding: PackageResources.openapi_yaml, as: UTF8.self)) }
}
