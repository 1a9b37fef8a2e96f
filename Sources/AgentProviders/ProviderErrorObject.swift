import Foundation

/// The parts of a provider's error object that may be kept: its `type` and its `code`.
///
/// OpenAI sends `{"type": ..., "code": ...}` (either may be null, and compatible servers send numeric
/// codes or a bare string instead of an object); Anthropic sends `{"type": ...}`. The `message` is read
/// only to recognise a prompt longer than the model's context window, which Anthropic and several
/// compatible servers say in words alone; it is never kept, so it cannot leak.
struct ProviderErrorObject: Decodable, Sendable {
    var type: String?
    var code: String?
    /// Whether the error refuses the prompt as longer than the model's context window.
    var exceedsContext = false

    private enum CodingKeys: String, CodingKey {
        case type, code, message
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
        let message = (try? container.decodeIfPresent(String.self, forKey: .message)) ?? nil
        exceedsContext = Self.exceedsContext(type: type, code: code, message: message)
    }

    /// The failure this error reports: a context window exceeded, else its type, else its code.
    var failure: ProviderFailure { exceedsContext ? .contextLengthExceeded : .reported(kinds: type, code) }

    /// OpenAI's code and llama.cpp's type say it; Anthropic ("prompt is too long"), vLLM and others
    /// ("maximum context length is ...") only word it.
    private static func exceedsContext(type: String?, code: String?, message: String?) -> Bool {
        if code == "context_length_exceeded" || type == "exceed_context_size_error" { return true }
        guard let message = message?.prefix(Self.longestMessageRead).lowercased() else { return false }
        return Self.contextWording.contains { message.contains($0) }
    }

    private static let contextWording = ["context length", "context window", "context limit", "prompt is too long"]
    /// Only the start of a message is searched: the words come first, and a long message is not worth reading.
    private static let longestMessageRead = 512

    /// The failure a refused call's body (a 4xx) reports: the `error` object both protocols nest, or the
    /// object itself, as vLLM and some other compatible servers send it at the top level.
    static func refusal(in body: Data) -> ProviderFailure {
        struct Nested: Decodable { var error: ProviderErrorObject? }
        if let nested = try? ProviderJSON.decode(Nested.self, from: body), let error = nested.error {
            return error.failure
        }
        return (try? ProviderJSON.decode(ProviderErrorObject.self, from: body))?.failure
            ?? .provider(kind: ProviderFailure.unknownKind)
    }
}
