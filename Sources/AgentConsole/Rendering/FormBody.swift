import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, as the console's forms post it.
struct FormBody: Sendable {
    private(set) var fields: [String: String] = [:]

    /// Parses `text`; a repeated field keeps its last value.
    init(_ text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            fields[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
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

    private static func decode(_ part: Substring) -> String {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
    }
}
