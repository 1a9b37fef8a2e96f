import Foundation

extension LocalCluster {
    /// Where and as whom to connect to a local cluster.
    public struct Endpoint: Sendable, Hashable {
        /// The directory holding the server's Unix socket.
        public var socketDirectory: String
        /// The port number in the socket's file name; no TCP port is open.
        public var port: Int
        /// The superuser role, which the user running the platform connects as without a password (peer).
        public var superuser: String

        public init(socketDirectory: String, port: Int, superuser: String) {
            self.socketDirectory = socketDirectory
            self.port = port
            self.superuser = superuser
        }

        /// A libpq connection URL for `user` and `database` over the Unix socket, accepted by `psql`,
        /// e.g. `postgresql://agent_admin@/agent_platform?host=%2Ftmp%2Fagentpg-1234abcd&port=5432`.
        public func url(user: String, database: String) -> String {
            let user = Self.percentEncode(user)
            let database = Self.percentEncode(database)
            let host = Self.percentEncode(self.socketDirectory)
            // The socket directory goes in the host part, percent-encoded (libpq's form): no `&`, so the
            // URL survives being pasted into a shell unquoted.
            return "postgresql://\(user)@\(host):\(self.port)/\(database)"
        }

        /// Encodes everything but RFC 3986 unreserved characters, which is safe in any URL component.
        static func percentEncode(_ text: String) -> String {
            var unreserved = CharacterSet(charactersIn: "-._~")
            unreserved.formUnion(CharacterSet(charactersIn: "a"..."z"))
            unreserved.formUnion(CharacterSet(charactersIn: "A"..."Z"))
            unreserved.formUnion(CharacterSet(charactersIn: "0"..."9"))
            return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
        }
    }
}
