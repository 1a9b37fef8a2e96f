import Foundation
import HTTPTypes

extension Contract {
    /// The parts of an OpenAPI document that say what an operation answers.
    struct Document: Decodable, Sendable {
        let paths: [String: PathItem]
        let components: Components

        struct PathItem: Decodable, Sendable {
            let get, put, post, patch, delete: Operation?

            func operation(_ method: HTTPRequest.Method) -> Operation? {
                switch method {
                case .get: get
                case .put: put
                case .post: post
                case .patch: patch
                case .delete: delete
                default: nil
                }
            }
        }

        struct Operation: Decodable, Sendable {
            let operationId: String
            let responses: [String: Reply]
        }

        /// A response object, or a reference to one in `components/responses`.
        struct Reply: Decodable, Sendable {
            let ref: String?
            let content: [String: Media]?

            private enum CodingKeys: String, CodingKey {
                case ref = "$ref"
                case content
            }
        }

        struct Media: Decodable, Sendable {
            let schema: Schema?
        }

        /// A schema, as far as which members an object must have: a class, since it nests itself.
        final class Schema: Decodable, Sendable {
            let ref: String?
            let required: [String]?
            let properties: [String: Schema]?
            let items: Schema?

            private enum CodingKeys: String, CodingKey {
                case ref = "$ref"
                case required, properties, items
            }
        }

        struct Components: Decodable, Sendable {
            let responses: [String: Reply]
            let schemas: [String: Schema]
        }

        /// The documented operation for `method` on the path of `uri`; literal segments win over parameters.
        func operation(_ method: HTTPRequest.Method, _ uri: String) -> (String, Operation)? {
            let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            let matches = paths.compactMap { template, item -> (literals: Int, template: String, operation: Operation)? in
                let parts = template.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == segments.count, let operation = item.operation(method) else { return nil }
                var literals = 0
                for (part, segment) in zip(parts, segments) {
                    if part.hasPrefix("{") {
                        guard !segment.isEmpty else { return nil }
                    } else if part == segment {
                        literals += 1
                    } else {
                        return nil
                    }
                }
                return (literals, template, operation)
            }
            return matches.max { $0.literals < $1.literals }.map { ($0.template, $0.operation) }
        }

        /// The paths of the members `schema` requires that `value` lacks, through references, properties and
        /// items. Generated types decode a required but nullable member as optional, so they alone would
        /// not notice its key missing.
        func missingMembers(in value: Any, schema: Schema, at path: String = "") -> [String] {
            let schema = schema.ref.flatMap { components.schemas[String($0.split(separator: "/").last ?? "")] } ?? schema
            var missing: [String] = []
            if let object = value as? [String: Any] {
                for key in schema.required ?? [] where object[key] == nil { missing.append(path + key) }
                for (key, property) in schema.properties ?? [:] {
                    if let member = object[key] { missing += missingMembers(in: member, schema: property, at: "\(path)\(key).") }
                }
            } else if let array = value as? [Any], let items = schema.items {
                for (index, element) in array.enumerated() {
                    missing += missingMembers(in: element, schema: items, at: "\(path)\(index).")
                }
            }
            return missing
        }

        /// A response, with a reference into `components/responses` followed.
        func resolve(_ reply: Reply) -> Reply? {
            guard let reference = reply.ref else { return reply }
            return components.responses[String(reference.split(separator: "/").last ?? "")]
        }
    }
}
