import Testing

/// A test's argument shown by its name alone: recorded bodies hold secret-looking text, which no test's
/// output prints.
struct Recorded: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    var testDescription: String { name }

    init(_ name: String, _ text: String) {
        self.name = name
        self.text = text
    }
}

/// Response bodies written after the providers' public wire formats, as they arrive on the socket.
///
/// The secret-looking text inside error messages is there to prove it never comes out.
enum RecordedStreams {
    // MARK: OpenAI Chat Completions

    /// Role chunk, multi-byte text, a finish reason, then the usage-only chunk of `include_usage`;
    /// fields this decoder does not read (`logprobs`, `system_fingerprint`, `obfuscation`) throughout.
    static let openAIWithUsageChunk = """
        data: {"id":"chatcmpl-B9x1","object":"chat.completion.chunk","created":1764750000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_a1b2c3","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"x7"}

        data: {"id":"chatcmpl-B9x1","object":"chat.completion.chunk","created":1764750000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_a1b2c3","choices":[{"index":0,"delta":{"content":"Grüße"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9x1","object":"chat.completion.chunk","created":1764750000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_a1b2c3","choices":[{"index":0,"delta":{"content":" aus 日本 👋"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9x1","object":"chat.completion.chunk","created":1764750000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_a1b2c3","choices":[{"index":0,"delta":{"content":"\\nline \\"two\\" \\u00e9"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9x1","object":"chat.completion.chunk","created":1764750000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_a1b2c3","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-B9x1","object":"chat.completion.chunk","created":1764750000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_a1b2c3","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":9,"total_tokens":28,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """

    static let openAIWithUsageChunkText = "Grüße aus 日本 👋\nline \"two\" é"

    /// A compatible server that puts the usage on the last chunk, beside its content and finish
    /// reason, with keep-alive comments and CRLF line endings.
    static let openAIUsageOnContentChunk = """
        : OPENROUTER PROCESSING\r
        \r
        data: {"id":"gen-17","provider":"Example","model":"meta-llama/llama-3.1-8b-instruct","object":"chat.completion.chunk","created":1764750001,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}\r
        \r
        : OPENROUTER PROCESSING\r
        \r
        data: {"id":"gen-17","provider":"Example","model":"meta-llama/llama-3.1-8b-instruct","object":"chat.completion.chunk","created":1764750001,"choices":[{"index":0,"delta":{"role":"assistant","content":"lo."},"finish_reason":"length","native_finish_reason":"length","logprobs":null}],"usage":{"prompt_tokens":42,"completion_tokens":2,"total_tokens":44}}\r
        \r
        data: [DONE]\r
        \r

        """

    /// Content, then an error object inside the stream, then the end of the body.
    static let openAIMidStreamError = """
        data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1764750002,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Partial"},"finish_reason":null}]}

        data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1764750002,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":" answer"},"finish_reason":null}]}

        data: {"error":{"message":"The server had an error while processing your request. Key sk-live-SECRET123 was used.","type":"server_error","param":null,"code":null}}


        """

    // MARK: Anthropic Messages

    /// A text reply with a ping, its stop reason and cumulative output tokens.
    static let anthropicText = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2,"service_tier":"standard"}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bonjour, "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ça va ? 🙂"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    static let anthropicTextText = "Bonjour, ça va ? 🙂"

    /// Thinking and tool blocks, an event type from the future, a cached prompt, and `max_tokens`.
    static let anthropicWithOtherBlocks = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","content":[],"model":"claude-opus-4-1","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: something_new
        data: {"type":"something_new","detail":{"nested":[1,2,3]}}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Answer"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01","name":"lookup","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\": \\"x\\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":64}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    /// Text, then Anthropic's `overloaded_error` event mid-stream.
    static let anthropicOverloaded = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_03","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Half"}}

        event: error
        data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded; request carried x-api-key sk-ant-SECRET456"}}


        """
}
