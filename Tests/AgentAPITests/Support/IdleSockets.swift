import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Plain blocking TCP connections to the server under test that connect and then say nothing: many idle
/// clients at little cost to the test process (a descriptor each, no event loop work).
final class IdleSockets: Sendable {
    let descriptors: [Int32]

    /// Lets this process hold `count` more descriptors if the hard limit allows; the count it may open.
    static func allowance(for count: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        // Each connection costs two descriptors here (client and server end), and the other suites run
        // beside this one.
        let wanted = rlim_t(2 * count + 2048)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return min(count, max(0, (Int(limit.rlim_cur) - 2048) / 2))
    }

    /// Opens `count` connections to `port` on loopback; throws if any cannot connect.
    init(_ count: Int, port: Int) throws {
        var descriptors: [Int32] = []
        defer { if descriptors.count < count { for fd in descriptors { close(fd) } } }
        // NIO's address, not a hand-filled `sockaddr_in`: which module owns that C struct depends on what
        // else the test module imports, and the build broke when that changed.
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        for _ in 0..<count {
            #if canImport(Glibc)
                let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #else
                let fd = Darwin.socket(AF_INET, SOCK_STREAM, 0)
            #endif
            guard fd >= 0 else { throw IdleSocketError(errno: errno) }
            let connected = address.withSockAddr { connect(fd, $0, socklen_t($1)) }
            guard connected == 0 else {
                close(fd)
                throw IdleSocketError(errno: errno)
            }
            descriptors.append(fd)
        }
        self.descriptors = descriptors
    }

    deinit {
        for fd in descriptors { close(fd) }
    }
}

struct IdleSocketError: Error {
    let errno: Int32
}
