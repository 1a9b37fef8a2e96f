import AgentReplies

extension ReplyGenerator {
    /// Refuses a new reply while the platform shuts down, before anything is stored: a 503 with
    /// `Retry-After`, so that the client, or its load balancer, tries again on another instance.
    func requireAcceptingReplies() throws {
        guard !isShuttingDown else {
            throw Problem.unavailable("The platform is shutting down: no new reply starts here.", retryAfterSeconds: 1)
        }
    }
}
