import Hummingbird

/// `{"status": ...}`: what `/health` and `/ready` answer.
struct StatusBody: ResponseEncodable, Sendable {
    let status: String
}
