import Hummingbird
import NIOCore
import ServiceLifecycle

/// One streamed reply, played out as its script says: pieces with delays, then an end, an error event,
/// a stall or a dropped connection.
struct EmulatedStream: Sendable {
    /// Thrown to make Hummingbird close the connection without ending the response.
    struct Dropped: Error {}

    let wire: EmulatedWire
    let id: String
    let model: String
    let reply: EmulatedReply
    let script: EmulatorScript
    let includeUsage: Bool
    let recorder: EmulatorRecorder

    func write(to writer: inout any ResponseBodyWriter) async throws {
        await recorder.count(.started)
        do {
            if script.thinking > .zero {
                // The head goes out at once, then nothing: OpenAI's Chat Completions is silent while a
                // reasoning model thinks.
                try await writer.write(ByteBuffer())
                try await pause(for: script.thinking)
            }
            try await send(wire.streamStart(id: id, model: model, reply: reply, script: script), to: &writer)
            for (index, piece) in reply.pieces.enumerated() {
                if script.dropAfter == index { throw Dropped() }
                if script.stallAfter == index {
                    try await pause(for: script.stallDuration)
                    throw Dropped()
                }
                if script.errorAfter == index {
                    try await send([wire.streamError], to: &writer)
                    try await writer.finish(nil)
                    await recorder.count(.completed)
                    return
                }
                if script.delay > .zero { try await pause(for: script.delay) }
                try await send([wire.streamPiece(piece, id: id, model: model)], to: &writer)
            }
            if let after = script.dropAfter, after >= reply.pieces.count { throw Dropped() }
            try await send(wire.streamEnd(id: id, model: model, reply: reply, includeUsage: includeUsage), to: &writer)
            try await writer.finish(nil)
            await recorder.count(.completed)
        } catch is Dropped {
            await recorder.count(.broken)
            // Writes are queued, not sent, when `write` returns: give the pieces time to leave before the
            // close, so that "after N pieces" means the client got N pieces. 100 ms was once not enough while
            // the whole suite loaded both cores (the client got none of the pieces).
            try? await Task.sleep(for: .milliseconds(500))
            throw Dropped()
        } catch {
            // A write failed: the client closed the connection before the end (or the server is stopping).
            await recorder.count(.closedEarly)
            throw error
        }
    }

    /// Waits as the script says; a long wait (a stall holds 30 s by default, a piece may wait ten minutes)
    /// ends when the emulator is told to stop, dropping the stream, so that Ctrl-C or SIGTERM does not wait
    /// for it. Short waits end soon enough by themselves, and pacing pays nothing for the watch.
    private func pause(for duration: Duration) async throws {
        guard duration >= .seconds(1) else { return try await Task.sleep(for: duration) }
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
        } catch is CancellationError where !Task.isCancelled {
            throw Dropped()
        }
    }

    private func send(_ frames: [String], to writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ByteBuffer(string: frames.joined()))
    }
}
