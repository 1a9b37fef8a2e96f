/// What the emulator received in one request, as `GET /_emulator/requests` shows it.
///
/// The presented key is kept only as its SHA-256, so a test can prove which key was sent without the
/// key appearing in any output.
public struct RecordedRequest: Codable, Hashable, Sendable {
    public struct Message: Codable, Hashable, Sendable {
        public var role: String
        public var content: String
        /// The participant's name, when the request gave one.
        public var name: String?
    }

    /// The request's path, script prefix included.
    public var path: String
    /// The `Host` header: the name the client addressed, whatever address it connected to.
    public var host: String?
    /// The port the client connected from: requests from one port came over one connection.
    public var clientPort: Int?
    /// `openai` or `anthropic`.
    public var wireProtocol: String
    public var model: String?
    /// The messages as received; Anthropic's `system` comes first as a `system` message.
    public var messages: [Message]
    public var temperature: Double?
    public var maxTokens: Int?
    public var stream: Bool
    /// The stop sequences asked for (`stop` or `stop_sequences`); empty when none.
    public var stop: [String] = []
    /// SHA-256 (lowercase hex) of the key in the protocol's key header, nil when none was sent.
    public var keySHA256: String?
    /// Names of other credential-like headers that came with the request (`authorization`, `cookie`, ...).
    public var otherCredentialHeaders: [String]

    private enum CodingKeys: String, CodingKey {
        case path, host, model, messages, temperature, stream, stop
        case clientPort = "client_port"
        case wireProtocol = "protocol"
        case maxTokens = "max_tokens"
        case keySHA256 = "key_sha256"
        case otherCredentialHeaders = "other_credential_headers"
    }
}
