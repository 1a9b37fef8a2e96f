import AgentReplies
import AgentStore

extension ReplyGenerator {
    /// Refuses a new reply while the platform shuts down, before anything is stored: a 503 with
    /// `Retry-After`, so that the client, or its load balancer, tries again on another instance.
    func requireAcceptingReplies() throws {
        guard !isShuttingDown else {
            throw Problem.unavailable("The platform is shutting down: no new reply starts here.", retryAfterSeconds: 1)
        }
    }

    /// A place for one of `tenant`'s generations, before anything of the request is stored: refused while
    /// the platform shuts down or the instance runs as many as it may (503, for another instance to take
    /// it), or when the tenant runs its share already (429 `too-many-replies`).
    func admitReply(of tenant: UserID) throws -> GenerationSlot {
        try requireAcceptingReplies()
        do {
            return try admit(tenant)
        } catch .full(let capacity) {
            throw Problem.unavailable(
                "This instance generates \(capacity) replies at once already; retry in a second.", retryAfterSeconds: 1)
        } catch .tenantShareTaken(let share) {
            throw Problem.tooManyReplies(share)
        }
    }
}
