import Foundation

/// Where a chat provider is reached: its wire protocol and its base URL, to which the protocol's
/// ``ChatWireProtocol/chatPath`` is appended.
///
/// The base URL is validated on creation: `http` or `https`, a host, no user info (a key in a URL would
/// end up in logs), no query and no fragment. A trailing slash is dropped; a path is kept, so
/// `http://127.0.0.1:8081/script/chunks=2` calls `http://127.0.0.1:8081/script/chunks=2/v1/chat/completions`.
public struct ProviderEndpoint: Hashable, Sendable {
    /// OpenAI's public API.
    public static let openAIBaseURL = "https://api.openai.com"
    /// Anthropic's public API.
    public static let anthropicBaseURL = "https://api.anthropic.com"

    /// Why a base URL was refused; says what is wrong, never repeats the URL.
    public enum InvalidBaseURL: Error, Hashable, Sendable, CustomStringConvertible {
        case malformed
        case unsupportedScheme
        case missingHost
        case hasUserInfo
        case hasQueryOrFragment
        case unusualHost
        case unencodedCharacter

        public var description: String {
            switch self {
            case .malformed: "the base URL is not a URL"
            case .unsupportedScheme: "the base URL must use http or https"
            case .missingHost: "the base URL has no host"
            case .hasUserInfo: "the base URL must not contain a user name or password"
            case .hasQueryOrFragment: "the base URL must not have a query or a fragment"
            case .unusualHost:
                "the base URL's host must be written plainly: ASCII letters, digits, hyphens, underscores and dots, or an IP address"
            case .unencodedCharacter:
                "the base URL must not contain spaces, control characters or characters other than ASCII; percent-encode them"
            }
        }
    }

    public let wireProtocol: ChatWireProtocol
    /// The validated base URL, without a trailing slash.
    public let baseURL: String
    /// `http` or `https`.
    public let scheme: String
    /// The host as written, lowercased, without the brackets of an IPv6 literal.
    public let host: String
    /// The port as written, nil for the scheme's default.
    public let port: Int?

    /// The provider's public API.
    public init(wireProtocol: ChatWireProtocol) {
        // The public base URLs are valid by construction.
        try! self.init(wireProtocol: wireProtocol, baseURL: Self.defaultBaseURL(for: wireProtocol))
    }

    public init(wireProtocol: ChatWireProtocol, baseURL: String) throws(InvalidBaseURL) {
        // What a URL parser or the HTTP client would take and encode is refused first, so that a line break in a stored
        // path can never reach a provider's connection (pooled across tenants) whatever the client does.
        guard baseURL.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else { throw .unencodedCharacter }
        guard let components = URLComponents(string: baseURL) else { throw .malformed }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw .unsupportedScheme
        }
        guard components.user == nil, components.password == nil else { throw .hasUserInfo }
        guard components.query == nil, components.fragment == nil else { throw .hasQueryOrFragment }
        guard var host = components.host?.lowercased(), !host.isEmpty else { throw .missingHost }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // The host checked and pinned must be the one the HTTP client connects to. Both parsers decode a
        // percent-encoded host (`%52` after lowercasing is an `R`, and the client's pin lookup is
        // case-sensitive), and may decode punycode: only a host whose written form is what they read is taken.
        guard Self.writtenHost(of: baseURL) == host, host.allSatisfy(Self.isPlainHostCharacter) else {
            throw .unusualHost
        }
        self.wireProtocol = wireProtocol
        self.scheme = scheme
        self.host = host
        self.port = components.port
        // Scheme and authority lowercased: the host in the URL must match the host that was checked and
        // pinned (see ``ProviderClient``), letter for letter.
        var normalized = baseURL
        if let separator = normalized.range(of: "://") {
            let authorityEnd = normalized[separator.upperBound...].firstIndex(of: "/") ?? normalized.endIndex
            normalized = normalized[..<authorityEnd].lowercased() + normalized[authorityEnd...]
        }
        while normalized.hasSuffix("/") { normalized.removeLast() }
        self.baseURL = normalized
    }

    /// The host of `url` as its text writes it, lowercased, without an IPv6 literal's brackets.
    static func writtenHost(of url: String) -> String {
        guard let separator = url.range(of: "://") else { return "" }
        var authority = url[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return authority[authority.index(after: authority.startIndex)..<close].lowercased()
        }
        return (authority.split(separator: ":", omittingEmptySubsequences: false).first ?? "").lowercased()
    }

    /// Letters, digits, `-`, `_` and `.` of a name; hex digits, `:` and `.` of an IP address.
    static func isPlainHostCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-_.:".contains(character))
    }

    /// The provider's public base URL.
    public static func defaultBaseURL(for wireProtocol: ChatWireProtocol) -> String {
        switch wireProtocol {
        case .openAI: openAIBaseURL
        case .anthropic: anthropicBaseURL
        }
    }

    /// The endpoint of a chat connection of `service` (`openai`, `anthropic`) with `baseURL` (none: the
    /// provider's public API); nil for another service, or a base URL that is not valid any more (it was
    /// checked when stored).
    public init?(chatService service: String, baseURL: String?) {
        guard let wireProtocol = ChatWireProtocol(service: service) else { return nil }
        guard let baseURL else {
            self.init(wireProtocol: wireProtocol)
            return
        }
        guard let endpoint = try? ProviderEndpoint(wireProtocol: wireProtocol, baseURL: baseURL) else { return nil }
        self = endpoint
    }

    /// The URL of the chat endpoint.
    public var chatURL: String { baseURL + wireProtocol.chatPath }

    /// The URL of the list of models.
    public var modelsURL: String { baseURL + wireProtocol.modelsPath }

    /// The port connected to: the one written, else the scheme's.
    public var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }
}
