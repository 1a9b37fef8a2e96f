import AgentReplies
import AgentStore
import HTTPTypes
import NIOCore

/// The events of a streamed reply: `message` (the stored user message), `reply.started` (the reply,
/// status `streaming`), `reply.delta` (`{"text": ...}`), and last `reply.completed` (the stored reply,
/// `complete` or `cancelled`) or `reply.failed` (a problem document with the stored reply in `reply`).
enum ReplyStreamEvent {
    static func encode(prompt: Message) throws -> ByteBuffer {
        try ServerSentEvents.event("message", MessageBody(prompt))
    }

    static func encode(_ progress: ReplyProgress, prompt: Message?) throws -> ByteBuffer {
        switch progress {
        case .started(let reply):
            return try ServerSentEvents.event("reply.started", MessageBody(reply))
        case .delta(let text):
            return try ServerSentEvents.event("reply.delta", Delta(text: text))
        case .ended(let end):
            if let failure = end.failure {
                return try ServerSentEvents.event(
                    "reply.failed",
                    FailedReply(problem: Problem(failure), reply: end.message.map { MessageBody($0, failure: failure) }))
            }
            guard let reply = end.message else {
                return try ServerSentEvents.event("reply.failed", FailedReply(problem: .outcomeNotStored(nil), reply: nil))
            }
            return try ServerSentEvents.event("reply.completed", MessageBody(reply))
        }
    }

    private struct Delta: Encodable {
        let text: String
    }

    /// A problem document with the failed reply as an extension member.
    private struct FailedReply: Encodable {
        let problem: Problem
        let reply: MessageBody?

        private enum CodingKeys: String, CodingKey { case reply }

        func encode(to encoder: any Encoder) throws {
            try problem.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(reply, forKey: .reply)
        }
    }
}

extension Problem {
    /// The problem a failed reply reports.
    init(_ failure: ReplyFailure) {
        self.init(
            HTTPResponse.Status(code: failure.status), slug: failure.slug, title: failure.title, detail: failure.detail)
        if let seconds = failure.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
    }
}
