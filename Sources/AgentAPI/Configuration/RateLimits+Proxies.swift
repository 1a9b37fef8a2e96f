import Foundation
import HTTPTypes
import NIOCore

extension RateLimits {
    /// `text` as the server writes a peer's address (`::1`, not `0:0:0:0:0:0:0:1`), nil when it is not an
    /// IP address.
    public static func normalizedAddress(_ text: some StringProtocol) -> String? {
        var address = text.trimmingCharacters(in: .whitespaces)
        // Some proxies append the port: `[2001:db8::1]:443`, `192.0.2.1:443`.
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            address = String(address[address.index(after: address.startIndex)..<close])
        } else if address.filter({ $0 == ":" }).count == 1, let colon = address.firstIndex(of: ":") {
            address = String(address[..<colon])
        }
        // An IPv4 address written as IPv6, as a dual-stack listener sees its IPv4 peers, is that IPv4 address:
        // a proxy listed as `10.0.0.5` is the peer `::ffff:10.0.0.5`.
        if let bytes = ipv6Bytes(address), isMappedIPv4(bytes) {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        return (try? SocketAddress(ipAddress: address, port: 0))?.ipAddress
    }

    /// The address a request's limits count against: the connection's peer, unless that peer is a trusted
    /// proxy; then the nearest address in `X-Forwarded-For` that is not one (proxies append the address they
    /// saw, so the right-most untrusted entry is the one no client could have written).
    ///
    /// Behind a load balancer every request comes from its few addresses: without this, one client's failed
    /// tokens held off every client of the platform.
    func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        let peer = peer.map { Self.normalizedAddress($0) ?? $0 }
        guard let peer, trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        for hop in hops.reversed() {
            // A value that is no address (garbage, `unknown`) ends the walk: nothing left of it can be trusted.
            guard let address = Self.normalizedAddress(hop) else { return peer }
            if !trustedProxies.contains(address) { return address }
        }
        return peer
    }

    /// The part of a client's address its limits count: an IPv4 address whole, an IPv6 address by its /64,
    /// one subscriber's usual allocation, whose 2^64 addresses would otherwise each get buckets of their
    /// own. An IPv4 address written as IPv6 (`::ffff:192.0.2.1`) stays whole.
    public static func countedPrefix(_ address: String) -> String {
        guard let bytes = ipv6Bytes(address), !isMappedIPv4(bytes) else { return address }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    /// The 16 bytes of an IPv6 address; nil for anything else.
    private static func ipv6Bytes(_ address: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return nil }
        return bytes
    }

    /// Whether an IPv6 address is an IPv4 address written as IPv6 (`::ffff:192.0.2.1`).
    private static func isMappedIPv4(_ bytes: [UInt8]) -> Bool {
        bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
    }

    /// The header proxies append the address they saw to.
    public static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
}
