import Synchronization

/// Whether a request's credential was refused where the answer is no 401: a console page whose session is
/// not valid sends its visitor to the sign-in page. Shared by every copy of the request's context, so that
/// the rate limits, which see only the response, count it as a failed authentication all the same.
public final class RefusedCredential: Sendable {
    private let refused = Atomic(false)

    init() {}

    /// The credential was presented and refused.
    public func note() {
        refused.store(true, ordering: .relaxed)
    }

    var isNoted: Bool { refused.load(ordering: .relaxed) }
}
