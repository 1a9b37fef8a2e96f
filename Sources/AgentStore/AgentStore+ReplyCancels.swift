import Logging
import PostgresNIO

/// Cancels of a tenant's running reply, published to every instance of the platform.
///
/// A running reply lives in the instance that generates it, and only that instance can stop its upstream
/// call. A cancel that reaches another instance is published through PostgreSQL (`NOTIFY`, at the commit
/// of the transaction that checked the reply is the tenant's), and each instance's listener
/// (``AgentStore/receiveReplyCancels(maximumBackoff:aliveCheck:aliveTimeout:listening:relayed:_:)``) hands it to
/// the replies it runs.
extension TenantReply {
    /// The channel of cancels: an identifier of the platform's own, since `LISTEN` takes no parameter.
    static let cancelChannel = "agent_platform_reply_cancels"
}

extension TenantSession {
    /// Publishes a cancel of the tenant's reply `messageID` to every instance, when this transaction commits.
    public func publishCancel(of messageID: MessageID) async throws {
        let cancel = TenantReply(tenant: userID, messageID: messageID)
        try await execute("SELECT pg_notify(\(TenantReply.cancelChannel), \(cancel.payload))")
    }
}

extension AgentStore {
    /// Hands every reply cancel any instance publishes (this one's too) to `received`, and every relay
    /// notice (``ReplyRelay``) to `relayed`, until the task is cancelled; `listening` hears when it starts
    /// and stops listening.
    ///
    /// It listens on a connection of its own, opened again whenever it drops, backing off up to
    /// `maximumBackoff` while the database is away. A connection whose server went silent (a partition,
    /// a stopped host) would leave it waiting for good, so every `aliveCheck` a query must come back
    /// within `aliveTimeout`, or the connection is closed and opened again. A cancel published while it
    /// reconnects is not received: who publishes one publishes it again until the reply has ended.
    public func receiveReplyCancels(
        maximumBackoff: Duration = .seconds(5), aliveCheck: Duration = .seconds(30), aliveTimeout: Duration = .seconds(10),
        listening: @Sendable (Bool) -> Void = { _ in }, relayed: @escaping @Sendable (ReplyRelay) -> Void = { _ in },
        _ received: @escaping @Sendable (TenantReply) async -> Void
    ) async {
        let logger = self.logger
        let shortest = Duration.milliseconds(100)
        var backoff = shortest
        var failing = false
        while !Task.isCancelled {
            do {
                try await client.withDedicatedConnection { connection in
                    // `LISTEN` itself waits for the server's answer: a server gone silent before it answers
                    // is cut off as the alive check below would cut it.
                    let answered = connection.closing(after: aliveTimeout)
                    defer { answered.cancel() }
                    // Both channels on the one connection, with one check that it is alive.
                    try await connection.listen(on: ReplyRelay.channel) { relays in
                        try await connection.listen(on: TenantReply.cancelChannel) { notifications in
                            answered.cancel()
                            if failing { logger.info("listening for reply cancels again") }
                            failing = false
                            backoff = shortest
                            listening(true)
                            defer { listening(false) }
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                group.addTask {
                                    for try await notification in notifications {
                                        guard let cancel = TenantReply(payload: notification.payload) else {
                                            logger.warning("a reply cancel that does not parse was ignored")
                                            continue
                                        }
                                        await received(cancel)
                                    }
                                }
                                group.addTask {
                                    for try await notification in relays {
                                        guard let notice = ReplyRelay(payload: notification.payload) else {
                                            logger.warning("a reply relay notice that does not parse was ignored")
                                            continue
                                        }
                                        relayed(notice)
                                    }
                                }
                                group.addTask {
                                    while true {
                                        try await Task.sleep(for: aliveCheck)
                                        try await Self.checkAlive(connection, within: aliveTimeout, logger: logger)
                                    }
                                }
                                // Whichever ends first (the connection dropped, or it did not answer) ends the listen.
                                try await group.next()
                                group.cancelAll()
                            }
                        }
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                if !failing {
                    // The server's words or the underlying cause (`DatabaseURL.reason`): never a credential.
                    logger.warning(
                        "listening for reply cancels stopped; retrying", metadata: ["error": "\(DatabaseURL.reason(error))"])
                }
                failing = true
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maximumBackoff)
        }
    }

    /// Runs a trivial query on `connection`, closing the connection if no answer comes within `limit`
    /// (which fails the query, and the listen on it). Its column names it, for whoever reads
    /// `pg_stat_activity`.
    private static func checkAlive(_ connection: PostgresConnection, within limit: Duration, logger: Logger) async throws {
        let deadline = connection.closing(after: limit)
        defer { deadline.cancel() }
        _ = try await connection.sendingIfOpen("SELECT 1 AS reply_cancel_listener_alive", logger: logger)
    }
}
