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

            private enum CodingKeys: String, CodingKey { case ref = "$ref", content }
        }

        struct Media: Decodable, Sendable {
            let schema: Schema?
        }

        struct Schema: Decodable, Sendable {
            let ref: String?

            private enum CodingKeys: String, CodingKey { case ref = "$ref" }
        }

        struct Components: Decodable, Sendable {
            let responses: [String: Reply]
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

        /// A response, with a reference into `components/responses` followed.
        func resolve(_ reply: Reply) -> Reply? {
            guard let reference = reply.ref else { return reply }
            return components.responses[String(reference.split(separator: "/").last ?? "")]
        }
    }
}
