#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `API_HOST` and `METRICS_HOST` may name: an IPv4 or IPv6 address (with a zone, `fe80::1%eth0`), or a
/// host name (a trailing dot, and `_` as container networks' names have, taken). Checked with the rest of
/// the configuration, so that `config check` refuses what `serve` could never listen on (`not a host`,
/// `999.1.1.1`); whether the address is this machine's, and whether a name resolves, is known only when
/// `serve` binds it (``ServeCommand/requireListenable(_:_:hostSetting:portSetting:)``), which also checks
/// `--hostname`.
enum ListenHost {
    /// Why `host` cannot be listened on as written, or nil when it can be tried.
    static func problem(_ host: String) -> String? {
        if host.hasPrefix("["), host.hasSuffix("]") { return "must be written without brackets" }
        let address = host.split(separator: "%", maxSplits: 1).first.map(String.init) ?? host
        if isAddress(host, family: AF_INET) || isAddress(address, family: AF_INET6) { return nil }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        // Digits and dots alone are an IPv4 address or nothing: a resolver may read `999.1.1.1` as a name.
        if labels.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) {
            return "must be an IPv4 address (four numbers from 0 to 255), an IPv6 address or a host name"
        }
        let spelled =
            name.utf8.count <= 253
            && labels.allSatisfy { label in
                (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCIILetterOrDigit || $0 == "-" || $0 == "_" }
            }
        return spelled ? nil : "must be an IP address or a host name (letters, digits, hyphens, underscores and dots)"
    }

    private static func isAddress(_ text: String, family: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(family, text, &buffer) == 1
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIILetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
}
