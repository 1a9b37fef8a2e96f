import Foundation
import NIOSSL
import PostgresNIO

/// A PostgreSQL connection URL in libpq's form, as `psql` accepts it.
///
/// `postgresql://user:password@host:port/database?sslmode=disable`, or for a Unix socket
/// `postgresql://user@/database?host=/socket/dir&port=5432`. The description hides the password.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    /// `require` verifies the server's certificate and host name (as libpq's `verify-full`); `prefer` tries
    /// TLS and falls back to plain text, so it protects against nothing active and is never the default.
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public let user: String
    public let password: String?
    public let host: String
    public let port: Int
    public let database: String
    /// Set when `host` is a socket directory.
    public let socketDirectory: String?
    public let tls: TLSMode

    public init(_ string: String) throws(DatabaseURLError) {
        let schemes: Set<Substring> = ["postgres", "postgresql"]
        guard let url = URLComponents(string: string) else {
            // Foundation reads no URL whose port is no number: said so, where "not a postgresql:// URL" misled.
            throw DatabaseURLError(
                problem: schemes.contains(string.prefix { $0 != ":" })
                    ? "is not a well-formed URL (a port that is no number, or a character to percent-encode)"
                    : "is not a postgresql:// URL")
        }
        guard let scheme = url.scheme, schemes.contains(Substring(scheme)) else {
            throw DatabaseURLError(problem: "is not a postgresql:// URL")
        }
        let query = Dictionary(
            (url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        // Each part is decoded once, from its encoded form: `user`, `password` and `path` come decoded
        // already, and decoding them again turned a password's `%25` (a `%`) into an error or another text.
        guard let user = url.percentEncodedUser.flatMap({ $0.removingPercentEncoding }) ?? query["user"], !user.isEmpty else {
            throw DatabaseURLError(problem: "names no user")
        }
        // A socket directory may come as `?host=/dir` or percent-encoded in the host part (`%2Fdir`).
        let hostParameter = query["host"] ?? url.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? ""
        let portText = query["port"] ?? url.port.map(String.init) ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw DatabaseURLError(problem: "has an invalid port")
        }
        let path = url.percentEncodedPath.hasPrefix("/") ? String(url.percentEncodedPath.dropFirst()) : url.percentEncodedPath
        let database = path.removingPercentEncoding ?? path
        guard !database.isEmpty else { throw DatabaseURLError(problem: "names no database") }
        // Over TCP, TLS with the server's certificate verified unless the URL says otherwise; a Unix socket
        // needs none. libpq's `verify-ca` and `verify-full` name what `require` does here.
        let mode = query["sslmode"].map { $0 == "verify-ca" || $0 == "verify-full" ? "require" : $0 }
        guard let tls = TLSMode(rawValue: mode ?? (hostParameter.hasPrefix("/") ? "disable" : "require")) else {
            throw DatabaseURLError(problem: "has an sslmode other than disable, prefer, require, verify-ca or verify-full")
        }
        self.user = user
        self.password = url.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? query["password"]
        self.host = hostParameter.isEmpty ? "localhost" : hostParameter
        self.port = port
        self.database = database
        self.socketDirectory = hostParameter.hasPrefix("/") ? hostParameter : nil
        self.tls = tls
    }

    public var description: String {
        let credentials = password == nil ? user : "\(user):***"
        if let socketDirectory { return "postgresql://\(credentials)@\(Self.encoded(socketDirectory)):\(port)/\(database)" }
        return "postgresql://\(credentials)@\(host):\(port)/\(database)"
    }

    /// Percent-encodes all but RFC 3986 unreserved characters.
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(
                charactersIn:
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }

    /// This URL for another user or database on the same server, as libpq and `psql` take it.
    public func replacing(user newUser: String? = nil, database newDatabase: String? = nil) -> String {
        let user = Self.encoded(newUser ?? self.user)
        let database = Self.encoded(newDatabase ?? self.database)
        if let socketDirectory {
            return "postgresql://\(user)@\(Self.encoded(socketDirectory)):\(port)/\(database)"
        }
        let credentials = newUser == nil ? password.map { "\(user):\(Self.encoded($0))" } ?? user : user
        return "postgresql://\(credentials)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    /// The configuration of a connection pool for this URL.
    ///
    /// - Parameter persistent: keep `maxConnections` connections open and arm no timers, for a
    ///   long-running server. PostgresNIO arms an idle timer and a keep-alive timer every time a
    ///   connection goes back to the pool, and a cancelled timer stays queued in Dispatch until its
    ///   deadline: at 1,000 requests/s that held ~70 MB and cost ~5% of throughput. Without keep-alive a
    ///   connection the network dropped is noticed by the query that next uses it, which fails, and the
    ///   pool replaces the connection.
    ///
    /// No pool runs keep-alive queries. PostgresNIO runs them inside the pool's `run()`, and a query written
    /// as its connection closes is dropped and never answered (see `PostgresConnection.sendIfOpen`): a ping
    /// that met the pool's own shutdown left `run()` waiting for ever, and with it whatever awaited it (a
    /// test suite's teardown, caught in a CI rehearsal; an `agentctl` command's exit). Idle connections
    /// still close after the pool's idle timeout.
    public func clientConfiguration(maxConnections: Int = 20, persistent: Bool = false) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)",
                username: user, password: password, database: database)
        } else {
            configuration = .init(
                host: host, port: port, username: user, password: password, database: database,
                tls: tlsConfiguration)
        }
        configuration.options.maximumConnections = maxConnections
        configuration.options.minimumConnections = persistent ? maxConnections : 0
        configuration.options.keepAliveBehavior = nil
        return configuration
    }

    /// The configuration of one connection to this URL, for `PersistentConnectionPool`.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        if let socketDirectory {
            return .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    private var tlsConfiguration: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }
}

/// A connection URL that cannot be used; the description never repeats the URL, which may hold a password.
public struct DatabaseURLError: Error, Sendable, CustomStringConvertible {
    public let problem: String
    public var description: String { "database URL \(problem)" }
}
