import Hummingbird

extension Request {
    /// Refuses a body where the operation takes none (its options are query parameters): a client that sent
    /// `{"stream": false}` would otherwise get a streamed answer without a word. Nothing, white space or an
    /// empty object (which some clients send with every POST) is taken.
    func requireNoBody() async throws {
        let body = try await body.collect(upTo: Self.noBodyAllowance)
        let text = String(buffer: body).filter { !$0.isWhitespace }
        guard text.isEmpty || text == "{}" else {
            throw Problem.badRequest(
                "This operation takes no request body; its options are query parameters. Send none, or {}.")
        }
    }

    /// Enough for white space around `{}`; a longer body is refused as too large, unread.
    private static let noBodyAllowance = 1024
}
