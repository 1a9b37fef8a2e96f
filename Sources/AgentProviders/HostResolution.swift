import Foundation
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Name resolution for the address check: the system resolver (`getaddrinfo`), on threads of its own
/// (see ``BlockingLookups``), so that a slow DNS server holds neither an event loop nor a concurrency
/// thread, and a call waits for it at most ``resolutionLimit``.
///
/// An answer is kept for ``answerLifetime``: without a caching resolver on the machine (a container's is
/// often a forwarder; Kubernetes' `ndots:5` makes several queries of one external name) every call paid
/// that many DNS round trips before connecting. What is kept is what was checked and is connected to, so
/// keeping it lets nothing else through; a failure is not kept.
enum HostResolution {
    /// How long an answer is used before the name is resolved again.
    static let answerLifetime: Duration = .seconds(30)
    /// Names kept at most; past it, the kept answers are dropped.
    static let maximumAnswers = 1024
    /// The longest a call waits for the resolver; past it the provider counts as unreachable (a call
    /// then tries its next connection) and a connection's check answers 503.
    static let resolutionLimit: Duration = .seconds(10)

    /// What the system resolver said of a name.
    enum Lookup: Sendable {
        case found([IPAddress])
        /// The name does not exist, or has no address.
        case noSuchName
        /// The resolver failed (no answer, a server failure): it may succeed later.
        case resolverFailed
    }

    private static let answers = Mutex<[String: (addresses: [IPAddress], expires: ContinuousClock.Instant)]>([:])

    /// Lookups of one name share one thread, and one tenant's names hold at most two of the eight: a tenant
    /// whose name servers never answer stalls its own lookups, and takes a quarter of the others' threads.
    /// (A thread waiting in `getaddrinfo` costs its stack and nothing more.)
    private static let lookups = lane(threads: 8, perTenant: 2)
    /// The providers' own hosts (the default base URLs') are looked up on threads of their own: names that
    /// tenants choose for their base URLs, which may never answer, cannot hold up every tenant's calls to
    /// OpenAI and Anthropic.
    private static let providerLookups = lane(threads: 2)
    static let providerHosts: Set<String> = Set(
        [ProviderEndpoint.openAIBaseURL, ProviderEndpoint.anthropicBaseURL].compactMap { URL(string: $0)?.host })

    private static func lane(threads count: Int, perTenant: Int = .max) -> BlockingLookups<Lookup> {
        let threads = NIOThreadPool(numberOfThreads: count)
        threads.start()
        return BlockingLookups(threads: threads, perOwner: perTenant)
    }

    /// Whether `host` is looked up on the providers' own threads.
    static func isProviderHost(_ host: String) -> Bool {
        providerHosts.contains(host.lowercased())
    }

    /// The addresses of `host`, looked up on `tenant`'s share of the threads (the providers' own hosts on
    /// theirs) when no answer is kept.
    static func addresses(of host: String, port: Int, for tenant: String?) async throws(ProviderCallError) -> [IPAddress] {
        if let kept = keptAddresses(of: host, port: port) { return kept }
        let lane = isProviderHost(host) ? providerLookups : lookups
        let lookup = await lane.value(for: name(host, port), owner: tenant, within: resolutionLimit) {
            resolve(host, port: port)
        }
        switch lookup {
        case .found(let result):
            answers.withLock { answers in
                keep(result, for: name(host, port), in: &answers, now: .now)
            }
            return result
        case .noSuchName:
            throw .unreachable(.nameNotResolved)
        case .resolverFailed, nil:
            throw .unreachable(.resolverUnavailable)
        }
    }

    /// Keeps an answer. Full, the kept answers drop those expired first, and then all but the providers'
    /// own: a tenant's fresh names would otherwise wipe the answers every tenant's calls use.
    static func keep(
        _ addresses: [IPAddress], for name: String,
        in answers: inout [String: (addresses: [IPAddress], expires: ContinuousClock.Instant)], now: ContinuousClock.Instant
    ) {
        if answers[name] == nil, answers.count >= maximumAnswers {
            answers = answers.filter { $0.value.expires > now }
            if answers.count >= maximumAnswers {
                answers = answers.filter { key, _ in isProviderHost(String(key.prefix { $0 != ":" })) }
            }
        }
        answers[name] = (addresses, now + answerLifetime)
    }

    /// The kept answer for `host` and `port`, if one is fresh.
    static func keptAddresses(of host: String, port: Int) -> [IPAddress]? {
        answers.withLock { $0[name(host, port)] }.flatMap { $0.expires > .now ? $0.addresses : nil }
    }

    /// The key of an answer: the name and the port it was resolved for.
    private static func name(_ host: String, _ port: Int) -> String { "\(host):\(port)" }

    private static func resolve(_ host: String, port: Int) -> Lookup {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        switch status {
        case 0: break
        // Failures of the resolver, not answers about the name.
        case EAI_AGAIN, EAI_FAIL, EAI_MEMORY, EAI_SYSTEM: return .resolverFailed
        default: return .noSuchName
        }
        guard let list else { return .noSuchName }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        var address = $0.pointee.sin_addr
                        if let ip = IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }) { addresses.append(ip) }
                    }
                case AF_INET6:
                    socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        var address = $0.pointee.sin6_addr
                        if let ip = IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }) { addresses.append(ip) }
                    }
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        // Each address once, in the resolver's order.
        var seen = Set<IPAddress>()
        let unique = addresses.filter { seen.insert($0).inserted }
        return unique.isEmpty ? .noSuchName : .found(unique)
    }
}
