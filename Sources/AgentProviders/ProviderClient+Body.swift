import AgentSecrets
import AsyncHTTPClient
import EventLoopTasks
import Foundation
import NIOCore

// MARK: Reading response bodies under the idle timeout

extension ProviderClient {
    /// How reading a body ended.
    enum BodyEnd: Hashable, Sendable {
        /// The provider ended the body.
        case ended
        /// The reader had enough (the reply ended, or a limit was reached) and stopped.
        case stoppedEarly
        /// Nothing arrived for the idle timeout.
        case timedOut
        /// The connection broke before the body ended.
        case connectionLost
        /// The reading task was cancelled.
        case cancelled
    }

    /// Reads `body`, handing each chunk to `consume` (false: stop reading), until it ends, breaks, or
    /// stays silent for `idle` (`firstChunk` before anything arrived; timed on `loop`). Stopping early, like
    /// cancelling, closes the connection.
    static func read(
        _ body: HTTPClientResponse.Body, idle: Duration, firstChunk: Duration? = nil, on loop: any EventLoop,
        consume: @escaping @Sendable (ByteBuffer) -> Bool
    ) async -> BodyEnd {
        let watchdog = IdleWatchdog(idle: idle, firstChunk: firstChunk, loop: loop)
        let reading = Task(executorPreference: EventLoopTaskExecutor.whenCallerIsOnALoop(loop)) {
            do {
                for try await chunk in body {
                    watchdog.heard()
                    if !consume(chunk) { return BodyEnd.stoppedEarly }
                }
                return .ended
            } catch {
                return Task.isCancelled ? .cancelled : .connectionLost
            }
        }
        watchdog.start { reading.cancel() }
        let end = await withTaskCancellationHandler {
            await reading.value
        } onCancel: {
            reading.cancel()
        }
        // The silence cancelled the read; a read that ended on its own as the timer fired keeps its end.
        let fired = watchdog.stop()
        return fired && end == .cancelled ? .timedOut : end
    }

    /// Decodes a streamed body into `events`, ending them with exactly one finished or failed event (none
    /// when the consumer went away), then closes them. The text ends at the first of the stop sequences
    /// `cut` applies. A failure that repeats `key` is told without its kind.
    static func pump(
        _ body: HTTPClientResponse.Body, protocol wireProtocol: ChatWireProtocol, idle: Duration, firstChunk: Duration,
        on loop: any EventLoop, cutting cut: StopSequenceCut, redacting key: Secret, into events: PendingReplyEvents
    ) async {
        let decoder = Locked(wireProtocol.makeStreamDecoder())
        let cutting = !cut.isEmpty
        let cut = Locked(cut)
        let end = await read(body, idle: idle, firstChunk: firstChunk, on: loop) { chunk in
            decoder.withLock { decoder in
                // `add` refuses when more text waits than a reply may hold: the events then end failed.
                for decoded in decoder.decode(chunk.readableBytesView) {
                    guard cutting else {
                        guard events.add(decoded.redacting(key)) else { return false }
                        continue
                    }
                    let (told, stopped) = cut.withLock { ($0.pass(decoded), $0.stopped) }
                    for event in told {
                        guard events.add(event.redacting(key)) else { return false }
                    }
                    // A stop sequence ended the reply here: reading on would only wait for text no one gets.
                    if stopped { return false }
                }
                return !decoder.isEnded
            }
        }
        // Every child task has returned: the decoder is no longer touched elsewhere.
        let owed: [ReplyEvent] = decoder.withLock { decoder in
            guard !decoder.isEnded else { return [] }
            switch end {
            case .ended: return decoder.finish()
            case .timedOut: return [.failed(.timedOut)]
            case .connectionLost: return [.failed(.connectionLost)]
            case .stoppedEarly, .cancelled: return []
            }
        }
        for event in owed.flatMap({ event in cut.withLock { $0.pass(event) } }) { _ = events.add(event.redacting(key)) }
        events.close()
    }

    /// Reads a reply that came whole (JSON) to a request for a stream, and tells it as a stream would: its
    /// text (up to the first of the stop sequences `cut` applies), its usage, then its end; or the one
    /// failure that stopped it.
    static func pumpWhole(
        _ body: HTTPClientResponse.Body, protocol wireProtocol: ChatWireProtocol, idle: Duration, firstChunk: Duration,
        on loop: any EventLoop, cutting cut: StopSequenceCut, redacting key: Secret, into events: PendingReplyEvents
    ) async {
        switch await readWholeReply(body, protocol: wireProtocol, idle: idle, firstChunk: firstChunk, on: loop) {
        case .success(let whole):
            let reply = cut.applied(to: whole)
            // Within bounds: the body read was at most maximumReplyBytes.
            if !reply.text.isEmpty { _ = events.add(.text(reply.text)) }
            _ = events.add(.usage(reply.usage))
            _ = events.add(ReplyEvent.finished(reply.finishReason).redacting(key))
        case .failure(let failure): _ = events.add(.failed(failure.redacting(key)))
        case nil: break
        }
        events.close()
    }

    /// A body that holds a whole reply, read and decoded: the reply, the failure that stopped it, or nil
    /// when the reading was cancelled.
    static func readWholeReply(
        _ body: HTTPClientResponse.Body, protocol wireProtocol: ChatWireProtocol, idle: Duration, firstChunk: Duration,
        on loop: any EventLoop
    ) async -> Result<ChatReply, ProviderFailure>? {
        let (end, bytes) = await collect(body, limit: maximumReplyBytes, idle: idle, firstChunk: firstChunk, on: loop)
        switch end {
        case .ended: break
        case .stoppedEarly: return .failure(.protocolViolation(.eventTooLarge(limit: maximumReplyBytes)))
        case .timedOut: return .failure(.timedOut)
        case .connectionLost: return .failure(.connectionLost)
        case .cancelled: return nil
        }
        do throws(ProviderFailure) {
            return .success(try wireProtocol.decodeReply(Data(bytes.readableBytesView)))
        } catch {
            return .failure(error)
        }
    }

    /// The whole body, up to `limit` bytes (``BodyEnd/stoppedEarly`` beyond).
    static func collect(
        _ body: HTTPClientResponse.Body, limit: Int, idle: Duration, firstChunk: Duration? = nil, on loop: any EventLoop
    ) async -> (BodyEnd, ByteBuffer) {
        let collected = Locked(ByteBuffer())
        let end = await read(body, idle: idle, firstChunk: firstChunk, on: loop) { chunk in
            collected.withLock { buffer in
                var chunk = chunk
                buffer.writeBuffer(&chunk)
                return buffer.readableBytes <= limit
            }
        }
        return (end, collected.withLock { $0 })
    }
}
