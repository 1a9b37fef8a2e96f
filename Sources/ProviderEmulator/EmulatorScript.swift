/// How the emulator answers one request: what text, in how many chunks, how fast, and how it fails.
///
/// A script is built in three layers, each overriding the one before:
///
/// 1. the emulator's defaults (``EmulatorConfiguration/script``, `agentctl dev provider` options);
/// 2. the base URL's path: every `script/<directives>` pair of segments before `/v1/...`, so that two
///    connections pointed at one emulator behave differently, for example
///    `http://127.0.0.1:8081/script/status=429,retry_after=1` (the client then appends
///    `/v1/chat/completions` or `/v1/messages`);
/// 3. a directive line in the last user message, `[emulator chunks=5 delay_ms=20 usage=off error_after=2]`,
///    which is removed from the echoed text.
///
/// Directives are `key=value` pairs separated by commas or spaces (percent-encoded in a path); a value
/// with spaces is written in double quotes (`text="two words"`). Keys:
///
/// | key | value | effect |
/// | --- | --- | --- |
/// | `text` | any | reply with this text instead of echoing |
/// | `echo` | `on` | echo the last user message (the default) |
/// | `repeat` | 1 to 1000 | the text this many times over (64 MB at most), for a provider that runs on past any message's size |
/// | `chunks` | 1 to 10000 | split the reply into this many streamed pieces (default 4; fewer when the text is shorter) |
/// | `delay_ms` | 0 to 600000 | wait this long before each piece (with `status`, before answering) |
/// | `think_ms` | 0 to 600000 | after the response head, send nothing for this long, as a reasoning model does while it thinks |
/// | `usage` | `on`/`off` | report token usage (OpenAI streams only when `stream_options.include_usage` asks) |
/// | `error_after` | N | after N pieces, send the protocol's error event and end the stream |
/// | `status` | 400 to 599 | answer with this HTTP status and the protocol's error body, nothing streamed |
/// | `retry_after` | seconds | with `status`, send `Retry-After` |
/// | `status_times` | 1 to 10000 | with `status`, answer so only the first N requests to this script's path, then as if no `status` were given (a rate limit that lifts) |
/// | `context` | 1 to 10000000 | the model's context window in tokens (a word is a token): a longer prompt is refused with the provider's own error (OpenAI's `context_length_exceeded`, Anthropic's "prompt is too long") |
/// | `stall_after` | N | after N pieces, send nothing more and keep the connection open for `stall_ms` |
/// | `stall_ms` | 0 to 600000 | how long a stall holds the connection before closing it (default 30000; a wait of a second or more ends when the emulator stops) |
/// | `drop_after` | N | after N pieces, close the connection without ending the response |
/// | `whole` | `on`/`off` | answer a streamed request with the whole reply as JSON, as a server that ignores `stream` does |
///
/// An unknown key or a bad value makes the request a 400 naming the directive.
public struct EmulatorScript: Hashable, Sendable {
    /// Where the reply's text comes from.
    public enum Text: Hashable, Sendable {
        /// The last user message, without its directive line.
        case echo
        case fixed(String)
    }

    public var text: Text = .echo
    public var repetitions: Int = 1
    public var chunks: Int = 4
    public var delay: Duration = .zero
    public var thinking: Duration = .zero
    public var usage: Bool = true
    public var errorAfter: Int?
    public var status: Int?
    public var retryAfterSeconds: Int?
    /// How many requests to the script's path `status` answers; nil for all.
    public var statusTimes: Int?
    public var contextWindow: Int?
    public var stallAfter: Int?
    public var stallDuration: Duration = .seconds(30)
    public var dropAfter: Int?
    public var whole: Bool = false

    public init() {}
}
