import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

// MARK: Answering requests

extension ProviderEmulator {
    /// Larger than any test's conversation, small enough that a stray upload cannot hurt.
    static let maximumRequestBytes = 8 << 20

    /// Headers that carry credentials in some API; any of them beside the protocol's key header is recorded.
    static let credentialHeaders = [
        "authorization", "x-api-key", "api-key", "proxy-authorization", "cookie", "x-goog-api-key",
    ]

    /// Answers `request`, which came from `clientPort`.
    func respond(to request: Request, from clientPort: Int?) async throws -> Response {
        let path = request.uri.path
        switch (request.method, path) {
        case (.get, "/_emulator/requests"):
            return try json(encoded: await recorder.requests)
        case (.delete, "/_emulator/requests"):
            await recorder.reset()
            return Response(status: .noContent)
        case (.get, "/_emulator/stats"):
            return try json(encoded: await recorder.stats)
        case (.get, _) where path.hasSuffix("/v1/models"):
            return await models(request, prefix: path.dropLast("/v1/models".count), clientPort: clientPort)
        case (.post, _) where path.hasSuffix("/v1/chat/completions"):
            return try await chat(
                request, wire: .openAI, prefix: path.dropLast("/v1/chat/completions".count), clientPort: clientPort)
        case (.post, _) where path.hasSuffix("/v1/messages"):
            return try await chat(
                request, wire: .anthropic, prefix: path.dropLast("/v1/messages".count), clientPort: clientPort)
        default:
            return json(#"{"error":{"message":"not found","type":"invalid_request_error"}}"#, status: .notFound)
        }
    }

    /// The list of models, in the protocol the request's headers speak (Anthropic's `x-api-key` or
    /// `anthropic-version`, else OpenAI's): recorded as a request without messages, refused with a key other
    /// than `expectedKey` when one is set, as a chat is, and failed with the path script's `status` when it
    /// sets one.
    private func models(_ request: Request, prefix: Substring, clientPort: Int?) async -> Response {
        let anthropic = header("x-api-key", of: request) != nil || header("anthropic-version", of: request) != nil
        let wire: EmulatedWire = anthropic ? .anthropic : .openAI
        let presented = wire.presentedKey(in: header(wire.keyHeader, of: request))
        await recorder.record(
            record(nil, path: request.uri.path, wire: wire, key: presented, request: request, clientPort: clientPort))
        if let expected = configuration.expectedKey, presented.map(Self.sha256) != Self.sha256(expected) {
            return json(wire.errorBody(status: 401), status: .unauthorized)
        }
        if let status = (try? Self.script(configuration.script, prefix: prefix))?.status {
            return json(wire.errorBody(status: status), status: HTTPResponse.Status(code: status))
        }
        switch wire {
        case .openAI:
            return json(
                #"{"object":"list","data":[{"id":"emulator","object":"model","created":1700000000,"owned_by":"emulator"},"#
                    + #"{"id":"emulator-mini","object":"model","created":1700000000,"owned_by":"emulator"}]}"#)
        case .anthropic:
            return json(
                #"{"data":[{"type":"model","id":"claude-emulator","display_name":"Claude Emulator","#
                    + #""created_at":"2025-01-01T00:00:00Z"}],"has_more":false,"first_id":"claude-emulator","#
                    + #""last_id":"claude-emulator"}"#)
        }
    }

    private func chat(_ request: Request, wire: EmulatedWire, prefix: Substring, clientPort: Int?) async throws
        -> Response
    {
        let body = try await request.body.collect(upTo: Self.maximumRequestBytes)
        guard let chat = try? JSONDecoder().decode(EmulatedChatRequest.self, from: Data(body.readableBytesView)) else {
            return json(wire.errorBody(status: 400), status: .badRequest)
        }
        let presented = wire.presentedKey(in: header(wire.keyHeader, of: request))
        await recorder.record(
            record(chat, path: request.uri.path, wire: wire, key: presented, request: request, clientPort: clientPort))

        // The script: defaults, then the path's segments, then the message's directive line.
        let (directives, echoed) = EmulatorScript.directiveLine(in: chat.lastUserMessage ?? "")
        let script: EmulatorScript
        do throws(EmulatorScript.DirectiveError) {
            script = try Self.script(configuration.script, prefix: prefix).applying(directives: directives ?? "")
        } catch {
            // The emulator's own answer names the directive (the platform never passes a provider's words on).
            return json(wire.errorBody(status: 400, message: error.description), status: .badRequest)
        }

        if let expected = configuration.expectedKey, presented.map(Self.sha256) != Self.sha256(expected) {
            return json(wire.errorBody(status: 401), status: .unauthorized)
        }
        let nth = await recorder.countRequest(to: String(prefix))
        if let status = script.status, script.statusTimes.map({ nth <= $0 }) ?? true {
            // A slow failure, as a gateway that times out upstream answers: the wait comes first, and ends
            // when the emulator is told to stop.
            if script.delay > .zero { try await cancelWhenGracefulShutdown { try await Task.sleep(for: script.delay) } }
            var headers = HTTPFields()
            if let seconds = script.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
            return json(wire.errorBody(status: status), status: HTTPResponse.Status(code: status), headers: headers)
        }

        if let refusal = wire.refusalOfStops(in: chat) ?? wire.refusalOfNames(in: chat) {
            return json(refusal, status: .badRequest)
        }
        if let window = script.contextWindow, chat.promptWords > window {
            return json(wire.contextErrorBody(promptTokens: chat.promptWords, window: window), status: .badRequest)
        }

        let reply = EmulatedReply(request: chat, script: script, echoed: echoed)
        let id =
            wire == .openAI
            ? "chatcmpl-emulator-\(UInt32.random(in: 0...UInt32.max))" : "msg_emulator_\(UInt32.random(in: 0...UInt32.max))"
        guard chat.stream, !script.whole else {
            return json(wire.wholeReply(id: id, model: chat.model, reply: reply, includeUsage: script.usage))
        }
        let includeUsage = script.usage && (wire == .anthropic || chat.streamOptions?.includeUsage == true)
        let stream = EmulatedStream(
            wire: wire, id: id, model: chat.model, reply: reply, script: script, includeUsage: includeUsage,
            recorder: recorder)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in try await stream.write(to: &writer) }
        )
    }

    /// The defaults with every `script/<directives>` pair of the path's segments applied, in order.
    static func script(_ defaults: EmulatorScript, prefix: Substring) throws(EmulatorScript.DirectiveError) -> EmulatorScript {
        var script = defaults
        let segments = prefix.split(separator: "/")
        for (index, segment) in segments.enumerated() where segment == "script" && index + 1 < segments.count {
            let directives = String(segments[index + 1]).removingPercentEncoding ?? String(segments[index + 1])
            script = try script.applying(directives: directives)
        }
        return script
    }

    static func sha256(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// What a request carried; a request without a chat (the list of models) is recorded without messages.
    private func record(
        _ chat: EmulatedChatRequest?, path: String, wire: EmulatedWire, key: String?, request: Request, clientPort: Int?
    ) -> RecordedRequest {
        var messages = chat?.messages.map { RecordedRequest.Message(role: $0.role, content: $0.content, name: $0.name) } ?? []
        if let system = chat?.system { messages.insert(.init(role: "system", content: system), at: 0) }
        return RecordedRequest(
            path: path, host: request.head.authority ?? header("host", of: request), clientPort: clientPort,
            wireProtocol: wire.rawValue,
            model: chat?.model, messages: messages,
            temperature: chat?.temperature, maxTokens: chat?.maxTokens, stream: chat?.stream ?? false,
            stop: chat?.stopSequences ?? [],
            keySHA256: key.map(Self.sha256),
            otherCredentialHeaders: Self.credentialHeaders.filter { $0 != wire.keyHeader && header($0, of: request) != nil }
        )
    }

    private func header(_ name: String, of request: Request) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }

    private func json(encoded value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return json(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    private func json(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
