import AgentStore
import PostgresNIO
import Testing

@Suite struct DatabaseURLTests {
    @Test func socketInTheHostPart() throws {
        let url = try DatabaseURL("postgresql://agent_app@%2Ftmp%2Fpg%20dir%2Fsocket:5432/agent_platform")
        #expect(url.socketDirectory == "/tmp/pg dir/socket")
        #expect(url.user == "agent_app" && url.database == "agent_platform" && url.port == 5432 && url.tls == .disable)
        #expect(try DatabaseURL(url.replacing()).socketDirectory == url.socketDirectory)
    }

    @Test func socketAsAQueryParameter() throws {
        let url = try DatabaseURL("postgres://admin@/db?host=/var/run/postgresql&port=5433")
        #expect(url.socketDirectory == "/var/run/postgresql" && url.port == 5433)
    }

    @Test func tcpWithPasswordHidesIt() throws {
        let url = try DatabaseURL("postgresql://app:s3cr%40t@db.internal:6543/platform?sslmode=require")
        #expect(url.password == "s3cr@t" && url.host == "db.internal" && url.port == 6543 && url.tls == .require)
        #expect(!url.description.contains("s3cr"))
        let other = try DatabaseURL(url.replacing(database: "other"))
        #expect(other.database == "other" && other.password == "s3cr@t")
        #expect(try DatabaseURL(url.replacing(user: "agent_app")).password == nil)
    }

    /// Each part is percent-decoded once, as libpq decodes it: `%25` is a `%`, and what follows it stays.
    @Test func partsAreDecodedOnce() throws {
        let url = try DatabaseURL("postgresql://app%2541:50%25off@db.internal/plat%2525form")
        #expect(url.user == "app%41" && url.password == "50%off" && url.database == "plat%25form")
        let again = try DatabaseURL(url.replacing(database: "50%off"))
        #expect(again.password == "50%off" && again.database == "50%off")
    }

    /// Over TCP the default is TLS with the certificate verified; a socket needs none; the URL still wins.
    @Test func tcpDefaultsToVerifiedTLS() throws {
        #expect(try DatabaseURL("postgresql://app@db.internal/platform").tls == .require)
        #expect(try DatabaseURL("postgresql://app@db.internal/platform?sslmode=verify-full").tls == .require)
        #expect(try DatabaseURL("postgresql://app@db.internal/platform?sslmode=disable").tls == .disable)
        #expect(try DatabaseURL("postgresql://app@%2Fvar%2Frun%2Fpostgresql/platform").tls == .disable)
    }

    /// A server's pool holds its connections and arms no per-release timers; other pools open on demand.
    /// No pool runs keep-alive queries, which could leave a pool's `run()` waiting for ever at its shutdown.
    @Test func persistentPoolsHoldConnectionsWithoutTimers() throws {
        let url = try DatabaseURL("postgresql://agent_app@%2Ftmp:5432/agent_platform")
        let server = url.clientConfiguration(maxConnections: 12, persistent: true).options
        #expect(server.minimumConnections == 12 && server.maximumConnections == 12 && server.keepAliveBehavior == nil)
        let tool = url.clientConfiguration(maxConnections: 3).options
        #expect(tool.minimumConnections == 0 && tool.maximumConnections == 3 && tool.keepAliveBehavior == nil)
    }

    @Test(arguments: [
        "mysql://u@h/db", "postgresql://h/db", "postgresql://u@h:99999/db", "postgresql://u@h/",
        "postgresql://u@h/db?sslmode=verify", "postgresql://u:pw@h:notaport/db",
    ])
    func invalidURLsAreRefusedWithoutEchoingThem(_ text: String) {
        #expect(throws: DatabaseURLError.self) { try DatabaseURL(text) }
        do { _ = try DatabaseURL(text) } catch { #expect(!"\(error)".contains(text)) }
    }

    /// A port that is no number is said to be a malformed URL, not one of another scheme.
    @Test func aPortThatIsNoNumberIsSaidSo() {
        #expect(throws: DatabaseURLError.self) { try DatabaseURL("postgresql://u:pw@h:notaport/db") }
        do { _ = try DatabaseURL("postgresql://u:pw@h:notaport/db") } catch {
            #expect("\(error)".contains("is not a well-formed URL (a port that is no number"), "\(error)")
        }
    }
}
