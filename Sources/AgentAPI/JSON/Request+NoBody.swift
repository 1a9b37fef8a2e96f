import Hummingbird
import NIOCore

extension Request {
    /// Refuses a body where the operation takes none (its options are query parameters): a client that sent
    /// `{"stream": false}` would otherwise get a streamed answer without a word. Nothing, white space or an
    /// empty object (which some clients send with every POST) is taken.
    func requireNoBody() async throws {
        let refusal = Problem.badRequest(
            "This operation takes no request body; its options are query parameters. Send none, or {}.")
        let body: ByteBuffer
        do {
            body = try await self.body.collect(upTo: Self.noBodyAllowance)
        } catch is NIOTooManyBytesError {
            // More than white space around `{}` could take: the same refusal, not the body limit's 413.
            throw refusal
        }
        let text = String(buffer: body).filter { !$0.isWhitespace }
        guard text.isEmpty || text == "{}" else { throw refusal }
    }

    /// Enough for white space around `{}`; a longer body is refused as too large, unread.
    private static let noBodyAllowance = 1024
}
