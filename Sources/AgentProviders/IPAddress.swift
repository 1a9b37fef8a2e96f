#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as bytes, and whether a provider call may go to it.
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    let bytes: [UInt8]

    init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// An address literal (`10.0.0.1`, `::1`, without brackets), nil for anything else.
    init?(literal: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    var isIPv4: Bool { bytes.count == 4 }

    /// The text form, for connecting to it (`dnsOverride`); never shown in an error.
    var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var storage = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        let written = storage.withUnsafeMutableBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        guard written != nil else { return "" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Classification

    /// Whether this is an ordinary address on the public internet.
    ///
    /// Refused: IPv4 this-network (0/8, so the unspecified address too), private (10/8, 172.16/12,
    /// 192.168/16), carrier-grade NAT (100.64/10), loopback (127/8), link-local (169.254/16, where cloud
    /// metadata services answer), IETF protocol assignments (192.0.0/24), documentation (192.0.2/24,
    /// 198.51.100/24, 203.0.113/24), benchmarking (198.18/15), 6to4 relay anycast (192.88.99/24), multicast
    /// (224/4), reserved and broadcast (240/4). IPv6 unspecified and loopback, IPv4-compatible (::/96),
    /// discard (100::/64), IETF protocol assignments with Teredo (2001::/23), documentation (2001:db8::/32),
    /// unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10), multicast (ff00::/8);
    /// local-use NAT64 (64:ff9b:1::/48), the newer documentation prefix (3fff::/20); IPv4-mapped
    /// (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) are
    /// judged by the IPv4 address they carry.
    var isPublic: Bool {
        if isIPv4 { return Self.isPublicIPv4(bytes) }
        let b = bytes
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {
            return Self.isPublicIPv4(Array(b[12..<16]))  // IPv4-mapped
        }
        if b[0..<8].allSatisfy({ $0 == 0 }) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0 {
            return Self.isPublicIPv4(Array(b[12..<16]))  // IPv4-translated (SIIT)
        }
        if b[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] {
            return Self.isPublicIPv4(Array(b[12..<16]))  // NAT64
        }
        // Local-use NAT64 (RFC 8215) may carry any IPv4 address, at a place its network chooses; not
        // globally reachable in IANA's registry either.
        if b[0..<6] == [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01] { return false }
        if b[0] == 0x20 && b[1] == 0x02 {
            return Self.isPublicIPv4(Array(b[2..<6]))  // 6to4
        }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return false }  // unspecified, loopback, IPv4-compatible
        if b[0] == 0x01 && b[1] == 0x00 && b[2..<8].allSatisfy({ $0 == 0 }) { return false }  // discard
        if b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02 { return false }  // 2001::/23
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return false }  // documentation
        if b[0] == 0x3f && b[1] == 0xff && b[2] & 0xf0 == 0 { return false }  // documentation (3fff::/20)
        if b[0] & 0xfe == 0xfc { return false }  // unique local
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return false }  // link-local
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return false }  // site-local
        if b[0] == 0xff { return false }  // multicast
        return true
    }

    private static func isPublicIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1], b[2]) {
        case (0, _, _), (10, _, _), (127, _, _): false
        case (100, 64...127, _): false
        case (169, 254, _): false
        case (172, 16...31, _): false
        case (192, 168, _): false
        case (192, 0, 0), (192, 0, 2), (192, 88, 99): false
        case (198, 18...19, _), (198, 51, 100), (203, 0, 113): false
        case (224...255, _, _): false
        default: true
        }
    }
}
