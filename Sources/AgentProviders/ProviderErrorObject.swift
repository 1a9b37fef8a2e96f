/// The parts of a provider's error object that may be kept: its `type` and its `code`.
///
/// OpenAI sends `{"type": ..., "code": ...}` (either may be null, and compatible servers send numeric
/// codes or a bare string instead of an object); Anthropic sends `{"type": ...}`. The `message` is
/// never read, so it cannot leak.
struct ProviderErrorObject: Decodable, Sendable {
    var type: String?
    var code: String?

    private enum CodingKeys: String, CodingKey {
        case type, code
    }

    /// An error that named nothing.
    static let unknown = ProviderErrorObject()

    private init() {}

    init(from decoder: any Decoder) throws {
        // A bare string or any other shape is still an error, of unknown kind.
        guard let container = try? decoder.container(keyedBy: CodingKeys.self) else { return }
        type = try? container.decodeIfPresent(String.self, forKey: .type)
        if let text = try? container.decodeIfPresent(String.self, forKey: .code) {
            code = text
        } else if let number = try? container.decodeIfPresent(Int.self, forKey: .code) {
            code = String(number)
        }
    }

    /// The failure this error reports, by its type, else its code.
    var failure: ProviderFailure { .reported(kinds: type, code) }
}
