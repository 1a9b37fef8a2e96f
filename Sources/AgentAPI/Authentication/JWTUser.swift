import AgentStore
import Foundation

/// The user a verified JSON Web Token speaks for, and the moment (its `exp`) it stops speaking for them.
struct JWTUser: Sendable {
    let userID: UserID
    let expiresAt: Date
}
