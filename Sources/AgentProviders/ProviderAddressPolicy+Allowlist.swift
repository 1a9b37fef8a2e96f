// MARK: PROVIDER_ALLOWED_HOSTS

extension ProviderAddressPolicy {
    /// An allowlist entry that is not `host[:port]`; names the entry, which is configuration, not a secret.
    public struct InvalidAllowlistEntry: Error, Hashable, Sendable, CustomStringConvertible {
        public let entry: String
        public var description: String {
            "invalid provider host \"\(entry)\": expected host or host:port (IPv6 as [address]:port), port 1 to 65535"
        }
    }

    /// A policy from a comma-separated `host[:port]` list (`PROVIDER_ALLOWED_HOSTS`); blanks around
    /// entries and empty entries are ignored, so an empty text allows nothing beyond public addresses.
    public init(allowlist: String) throws(InvalidAllowlistEntry) {
        var hosts: [AllowedHost] = []
        for raw in allowlist.split(separator: ",") {
            let entry = String(String(raw).trimmingASCIIWhitespace)
            guard !entry.isEmpty else { continue }
            guard let host = Self.parse(entry) else { throw InvalidAllowlistEntry(entry: entry) }
            hosts.append(host)
        }
        self.init(allowedHosts: hosts)
    }

    private static func parse(_ entry: String) -> AllowedHost? {
        var host = entry
        var port: Int?
        if entry.hasPrefix("[") {
            // [v6] or [v6]:port
            guard let close = entry.firstIndex(of: "]") else { return nil }
            host = String(entry[entry.index(after: entry.startIndex)..<close])
            let rest = entry[entry.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else { return nil }
                port = number
            }
            guard let address = IPAddress(literal: host), !address.isIPv4 else { return nil }
        } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
            host = String(entry[..<colon])
            guard let number = Int(entry[entry.index(after: colon)...]) else { return nil }
            port = number
        } else if entry.contains(":") {
            // A bare IPv6 literal, any port.
            guard IPAddress(literal: entry) != nil else { return nil }
        }
        if let port, !(1...65535).contains(port) { return nil }
        guard !host.isEmpty, IPAddress(literal: host) != nil || isHostName(host) else { return nil }
        return AllowedHost(host: host, port: port)
    }

    /// Letters, digits, hyphens and dots, as DNS names are; no wildcards.
    private static func isHostName(_ text: String) -> Bool {
        text.utf8.count <= 253 && !text.hasPrefix(".") && !text.hasPrefix("-")
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                    true
                default: false
                }
            }
    }
}
