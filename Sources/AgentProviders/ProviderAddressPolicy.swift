/// Which addresses provider calls may go to: public addresses only, plus the hosts the operator allows.
///
/// A base URL comes from a tenant, so without this guard a tenant could point a connection at the
/// platform's own network (a database, a cloud metadata service at 169.254.169.254) and read the answers.
/// ``check(_:)`` resolves the host and refuses it when any of its addresses is not public (see
/// `IPAddress.isPublic`), unless `host[:port]` is on the allowlist (`PROVIDER_ALLOWED_HOSTS`).
///
/// It is checked when a connection is created or changed, and again by ``ProviderClient`` at every call,
/// which then connects to the very address it checked (see ``ProviderClient``), so a name that
/// resolves to a public address at the check and to a private one at the connect (DNS rebinding) does
/// not get through.
public struct ProviderAddressPolicy: Hashable, Sendable {
    /// One allowlist entry: a host name or address literal as written in base URLs, and a port or any.
    public struct AllowedHost: Hashable, Sendable, CustomStringConvertible {
        /// Lowercased, IPv6 without brackets.
        public var host: String
        /// Nil allows every port.
        public var port: Int?

        public init(host: String, port: Int? = nil) {
            self.host = host.lowercased()
            self.port = port
        }

        public var description: String {
            let shown = host.contains(":") ? "[\(host)]" : host
            return port.map { "\(shown):\($0)" } ?? shown
        }
    }

    /// The hosts allowed whatever they resolve to.
    public var allowedHosts: [AllowedHost]

    /// Public addresses only.
    public static let publicOnly = ProviderAddressPolicy()

    public init(allowedHosts: [AllowedHost] = []) {
        self.allowedHosts = allowedHosts
    }

    /// Whether `host:port` is on the allowlist.
    public func allows(host: String, port: Int) -> Bool {
        let host = host.lowercased()
        return allowedHosts.contains { $0.host == host && ($0.port == nil || $0.port == port) }
    }

    /// Refuses an endpoint whose host is, or resolves to, an address that is not public, unless allowed.
    /// The name is looked up on `tenant`'s share of the resolver's threads (see ``BlockingLookups``).
    public func check(_ endpoint: ProviderEndpoint, for tenant: String?) async throws(ProviderCallError) {
        _ = try await target(of: endpoint, for: tenant)
    }

    // MARK: Call time

    /// Where a call connects: through its own name resolution when allowed or an address literal, or
    /// to the one address that was checked.
    enum Target: Hashable, Sendable {
        /// Allowlisted, or an address literal that was checked: nothing can change between check and connect.
        case asWritten
        /// A host name whose addresses were all public (at least one): connect to the first that takes the
        /// connection, in the resolver's order.
        case pinned([IPAddress])
    }

    func target(of endpoint: ProviderEndpoint, for tenant: String?) async throws(ProviderCallError) -> Target {
        if allows(host: endpoint.host, port: endpoint.effectivePort) { return .asWritten }
        if let literal = IPAddress(literal: endpoint.host) {
            guard literal.isPublic else { throw .refusedAddress(host: endpoint.host) }
            return .asWritten
        }
        let addresses = try await HostResolution.addresses(of: endpoint.host, port: endpoint.effectivePort, for: tenant)
        // One private address among public ones is enough to refuse: the connect could pick it.
        guard !addresses.isEmpty, addresses.allSatisfy(\.isPublic) else {
            throw .refusedAddress(host: endpoint.host)
        }
        return .pinned(addresses)
    }
}
