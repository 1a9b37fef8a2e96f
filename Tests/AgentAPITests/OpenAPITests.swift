import AgentAPI
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The document at `/openapi.json` and the router describe the same routes and methods.
@Suite struct OpenAPITests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test func documentAndRouterAgree() async throws {
        let router = try await buildRouter(store: api.db.store, configuration: api.configuration, registry: api.registry, logger: api.logger)
        let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        let text = try await api.test { client in
            let response = try await client.send(.get, "/openapi.json", as: nil)
            #expect(response.status == .ok)
            return response.text
        }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options"]
        let documented = Set(paths.flatMap { path, operations in
            operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
        })
        #expect(routed.subtracting(documented).sorted() == [], "routes missing from the document")
        #expect(documented.subtracting(routed).sorted() == [], "documented routes the router lacks")

        // Every reference resolves within the document.
        for reference in references(in: document) {
            let path = reference.dropFirst(2).split(separator: "/").map(String.init)
            var node: Any? = document
            for component in path { node = (node as? [String: Any])?[component] }
            #expect(node != nil, "unresolved \(reference)")
        }
    }

    func references(in value: Any) -> [String] {
        switch value {
        case let object as [String: Any]:
            (object["$ref"] as? String).map { [$0] } ?? [] + object.values.flatMap(references(in:))
        case let array as [Any]: array.flatMap(references(in:))
        default: []
        }
    }
}
