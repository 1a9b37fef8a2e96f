import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AgentAPI

/// The contract file, the two documents served from it, and the router describe the same API.
@Suite(.oneDatabase) struct OpenAPITests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    /// `Sources/AgentAPI/openapi.yaml`, the file the server embeds.
    static let source = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Sources/AgentAPI/openapi.yaml")
    /// `Tests/AgentAPITests/openapi.yaml`, the file the generator reads.
    static let generatorInput = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "openapi.yaml")

    @Test func documentAndRouterAgree() async throws {
        let router = try await buildRouter(
            store: api.db.store, replies: api.replies, configuration: api.configuration, registry: api.registry,
            logger: api.logger)
        // A HEAD routed on its own (the export's) is the GET's, as everywhere else: the document lists the GET.
        let routed = Set(router.routes.map { "\($0.method == .head ? "GET" : $0.method.rawValue) \($0.path)" })
        let text = try await api.test { client in
            let response = try await client.send(.get, "/openapi.json", as: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            return response.text
        }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options"]
        let documented = Set(
            paths.flatMap { path, operations in
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

    /// The served JSON document as plain objects.
    static func servedDocument() throws -> [String: Any] {
        let json = try OpenAPIDocument.embedded.get().json
        return try #require(try JSONSerialization.jsonObject(with: Data(json.readableBytesView)) as? [String: Any])
    }

    @Test func operationIDsAreReadableAndUnique() throws {
        let paths = try #require(try Self.servedDocument()["paths"] as? [String: [String: Any]])
        let ids = paths.values.flatMap { $0.values.compactMap { ($0 as? [String: Any])?["operationId"] as? String } }
        #expect(Set(ids).count == ids.count, "duplicate operation ids")
        for id in ids {
            #expect(id.wholeMatch(of: #/[a-z]+(?:[A-Z][a-z]+|API|JSON|YAML)*/#) != nil && id.count <= 24, "\(id)")
        }
        let expected: Set = [
            "listAgents", "createAgent", "getAgent", "updateAgent", "deleteAgent", "listMessages", "createMessage",
        ]
        #expect(expected.isSubset(of: Set(ids)))
    }

    /// Generated types reject members their schema does not name only when it says
    /// `additionalProperties: false`; without it a field the server adds would go unnoticed.
    @Test func everyObjectSchemaIsClosed() throws {
        let schemas = try #require(
            (try Self.servedDocument()["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        // The OpenAI-compatible request is open on purpose: OpenAI's clients send fields it does not use.
        for (name, schema) in schemas where schema["type"] as? String == "object" && name != "ChatCompletionRequest" {
            #expect(schema["additionalProperties"] as? Bool == false, "\(name)")
        }
    }

    /// Each request schema names exactly the fields its body type accepts: the server refuses any other,
    /// so a field documented but not accepted (or accepted but not documented) would be a drift.
    @Test func requestSchemasNameTheFieldsTheServerAccepts() throws {
        let document = try Self.servedDocument()
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let bodies: [String: any APIRequestBody.Type] = [
            "createAgent": CreateAgentBody.self, "updateAgent": UpdateAgentBody.self,
            "createConnection": CreateConnectionBody.self, "updateConnection": UpdateConnectionBody.self,
            "createMessage": CreateMessageBody.self, "setFeedback": SetFeedbackBody.self, "createToken": CreateTokenBody.self,
            "createConversation": CreateConversationBody.self, "updateConversation": UpdateConversationBody.self,
            "setConnectionOrder": ConnectionOrderBody.self,
            "createReply": CreateReplyBody.self, "updateMe": UpdateUserBody.self,
        ]
        var documented: Set<String> = []
        for operation in paths.values.flatMap(\.values) {
            guard let operation = operation as? [String: Any], let id = operation["operationId"] as? String,
                let requestBody = operation["requestBody"] as? [String: Any], id != "createChatCompletion"
            else { continue }
            documented.insert(id)
            let media = (requestBody["content"] as? [String: Any])?["application/json"] as? [String: Any]
            let reference = try #require((media?["schema"] as? [String: Any])?["$ref"] as? String, "\(id)")
            let schema = try #require(schemas[String(reference.split(separator: "/").last ?? "")], "\(id)")
            let properties = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
            let body = try #require(bodies[id], "no body type for \(id)")
            #expect(properties == body.fieldNames, "\(id)")
        }
        #expect(documented == Set(bodies.keys))
    }

    @Test func theYAMLIsServedAsWrittenAndTheJSONMatchesIt() async throws {
        let written = try String(contentsOf: Self.source, encoding: .utf8)
        let (yaml, json) = try await api.test { client in
            let yaml = try await client.send(.get, "/openapi.yaml", as: nil)
            #expect(yaml.status == .ok)
            #expect(yaml.headers[.contentType] == "application/yaml")
            return (yaml.text, try await client.send(.get, "/openapi.json", as: nil).text)
        }
        #expect(yaml == written)
        // The same operations, in the same order as written: the JSON keeps the YAML's member order.
        let yamlIDs = written.matches(of: #/operationId: (\w+)/#).map { String($0.output.1) }
        let jsonIDs = json.matches(of: #/"operationId":"(\w+)"/#).map { String($0.output.1) }
        #expect(!yamlIDs.isEmpty && yamlIDs == jsonIDs)
    }

    /// The generator reads `Tests/AgentAPITests/openapi.yaml`, a link to the served file; were it ever
    /// replaced by a copy, the copy must not drift.
    @Test func theGeneratorReadsTheServedDocument() throws {
        #expect(try Data(contentsOf: Self.generatorInput) == Data(contentsOf: Self.source))
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
