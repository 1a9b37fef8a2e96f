import NIOCore
import Yams

/// The API contract, `openapi.yaml`: compiled into the binary, and converted to JSON once, at start-up.
///
/// The YAML is the source of truth: the tests generate their response types from it, and `OpenAPITests`
/// fails when its operations and the router's routes disagree.
struct OpenAPIDocument: Sendable {
    /// The document as written.
    let yaml: ByteBuffer
    /// The same document as JSON, members in the order the YAML gives them.
    let json: ByteBuffer

    /// The query parameters each operation declares, by ``operation(_:_:)``.
    let queryParameters: [String: Set<String>]

    /// An operation's key: `METHOD /path`, the path as the router names its routes.
    static func operation(_ method: String, _ path: String) -> String { "\(method.uppercased()) \(path)" }

    init(yaml text: String) throws {
        yaml = ByteBuffer(string: text)
        let parsed = try YAMLAsJSON(document: text)
        json = try JSONStreamEncoder.encode(parsed, capacity: text.utf8.count)
        queryParameters = Self.queryParameters(in: parsed.node)
    }

    /// Every operation's `in: query` parameters, its path item's included, written inline or as a reference
    /// to `components/parameters`.
    private static func queryParameters(in root: Node) -> [String: Set<String>] {
        let components = root["components"]?["parameters"]
        func resolved(_ parameter: Node) -> Node? {
            guard let reference = parameter["$ref"]?.string else { return parameter }
            return reference.split(separator: "/").last.flatMap { components?[String($0)] }
        }
        var declared: [String: Set<String>] = [:]
        for (path, item) in root["paths"]?.mapping ?? [:] {
            guard let path = path.string else { continue }
            let shared = Array(item["parameters"]?.sequence ?? [])
            for (method, operation) in item.mapping ?? [:] {
                guard let method = method.string, method != "parameters" else { continue }
                let parameters = (shared + Array(operation["parameters"]?.sequence ?? [])).compactMap(resolved)
                declared[Self.operation(method, path)] = Set(
                    parameters.filter { $0["in"]?.string == "query" }.compactMap { $0["name"]?.string })
            }
        }
        return declared
    }

    /// The embedded document, parsed on first use; a malformed one fails the router's construction.
    static let embedded = Result { try OpenAPIDocument(yaml: String(decoding: PackageResources.openapi_yaml, as: UTF8.self)) }
}
