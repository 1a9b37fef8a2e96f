import Foundation
import Testing

/// Checks that secrets stay out of a text without printing them when they do not: a failed
/// `#expect(!text.contains(secret))` shows its operands, the secret and the text that holds it, in the
/// test's output, the very leak it guards against.
public enum SecretCheck {
    /// Records an issue when any of `secrets` appears in `text`, saying which (by position) and showing
    /// the text with every secret masked.
    public static func expectAbsent(
        _ secrets: String..., in text: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let found = secrets.indices.filter { !secrets[$0].isEmpty && text.contains(secrets[$0]) }
        guard !found.isEmpty else { return }
        Issue.record(
            "secret(s) \(found) of \(secrets.count) appear in: \(masking(text, secrets).prefix(400))",
            sourceLocation: sourceLocation)
    }

    /// `text` with each of `secrets` replaced by `<secret>`, to be shown in a failure's message.
    public static func masking(_ text: String, _ secrets: String...) -> String {
        masking(text, secrets)
    }

    static func masking(_ text: String, _ secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<secret>") }
    }
}
