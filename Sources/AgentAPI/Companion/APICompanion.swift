import Hummingbird

/// Routes another module serves on the API's router, such as the web console: added after the API's own
/// routes and before the method check, behind the API's outer middleware (request id, response headers,
/// metrics, problems). The API does not know its companions; `agentctl` hands them to `buildApplication`.
public protocol APICompanion: Sendable {
    func addRoutes(to router: Router<APIRequestContext>, api: APIParts)
}
