import AgentAPI
import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, as the console's forms post it.
struct FormBody: Sendable {
    let fields: FormFields

    /// Parses `text`; a repeated field keeps its last value.
    init(_ text: String) {
        fields = FormFields(text)
    }

    /// Reads the request's body, up to the context's body limit.
    static func read(_ request: Request, limit: Int) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: limit)
        return FormBody(String(buffer: buffer))
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// A field's value with surrounding white space removed; nil when absent or empty.
    func text(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
