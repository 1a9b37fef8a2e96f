import Foundation

/// A PostgreSQL cluster that lives in a folder the platform owns and that the platform starts itself.
///
/// The folder holds everything the cluster needs:
/// ```
/// <folder>/data/          PGDATA (created by initdb, mode 0700)
/// <folder>/socket/        Unix socket directory, unless its path is too long (then /tmp/agentpg-<hash>)
/// <folder>/server.log     server log (pg_ctl -l)
/// <folder>/initdb.log     output of the first initdb
/// <folder>/cluster.lock   flock serialising start/stop/remove across processes
/// ```
/// Run as root, the folder and PGDATA belong to the server account, which could plant links in them:
/// every file the platform itself reads or changes there is opened with ``ClusterEntry``.
/// The server listens only on a Unix socket in a private directory, never on TCP, so it cannot
/// collide with any other PostgreSQL on the machine; clients are authenticated as the operating-system
/// user they run as (peer), never trusted. Starting and stopping take seconds; waiting for
/// another process's operation on the same folder blocks no thread (the lock is polled).
public struct LocalCluster: Sendable {
    /// The folder holding the cluster, as an absolute, standardized file URL.
    public let folder: URL
    /// The folder holding `initdb`, `pg_ctl` and `postgres`.
    public let binDirectory: URL
    /// The superuser role created by initdb.
    public let superuser: String
    /// Roles besides the superuser that the user running the platform may connect as (the platform's
    /// runtime login). Peer authentication on the socket maps that operating-system user to these
    /// roles and the superuser, and no other user to any role (see `pg_ident.conf`).
    public let clientRoles: [String]
    /// Whether the cluster survives crashes; `false` turns off fsync and friends for throwaway test clusters.
    public let durable: Bool
    /// The directory holding the server's Unix socket.
    public let socketDirectory: String

    /// The port number in the socket's name (`.s.PGSQL.5432`); no TCP port is ever opened.
    public static let port = 5432
    /// The superuser role name used unless told otherwise.
    public static let defaultSuperuser = "agent_admin"

    /// Describes a cluster in `folder`; touches nothing on disk.
    ///
    /// - Parameters:
    ///   - folder: Where the cluster lives; the platform uses `<checkout>/.local/postgres`.
    ///   - binDirectory: PostgreSQL binaries (the platform's `POSTGRES_BIN_DIR`); by default Debian's
    ///     `/usr/lib/postgresql/<major>/bin` (15 preferred, else the newest), else `PATH`.
    ///   - superuser: The superuser role initdb creates.
    ///   - clientRoles: Other roles the user running this process may connect as.
    ///   - durable: `false` trades crash safety for speed (fsync, synchronous_commit, full_page_writes off).
    /// - Throws: ``LocalClusterError/binariesNotFound(searched:)`` when no binaries are installed.
    public init(
        folder: URL,
        binDirectory: URL? = nil,
        superuser: String = LocalCluster.defaultSuperuser,
        clientRoles: [String] = [],
        durable: Bool = true
    ) throws(LocalClusterError) {
        let folder = folder.absoluteURL.standardizedFileURL
        if let binDirectory {
            guard PostgresBinaries.isUsable(binDirectory.path) else {
                throw .binariesNotFound(searched: [binDirectory.path])
            }
            self.binDirectory = binDirectory
        } else {
            self.binDirectory = try PostgresBinaries.locate()
        }
        self.folder = folder
        self.superuser = superuser
        self.clientRoles = clientRoles
        self.durable = durable
        self.socketDirectory = Self.socketDirectory(for: folder)
    }

    // MARK: Layout

    /// PGDATA.
    public var dataDirectory: URL { self.folder.appending(path: "data", directoryHint: .isDirectory) }
    /// The server log.
    public var logFile: URL { self.folder.appending(path: "server.log", directoryHint: .notDirectory) }
    /// Where initdb writes before the result is renamed to ``dataDirectory``, so a crash never leaves a half-made cluster.
    var partialDataDirectory: URL { self.folder.appending(path: "data.partial", directoryHint: .isDirectory) }
    var initdbLogFile: URL { self.folder.appending(path: "initdb.log", directoryHint: .notDirectory) }
    var lockFile: URL { self.folder.appending(path: "cluster.lock", directoryHint: .notDirectory) }
    /// Every name the cluster may create in its folder; ``remove()`` refuses to delete a folder holding anything else.
    static let ownedNames: Set<String> = ["data", "data.partial", "socket", "server.log", "initdb.log", "cluster.lock"]

    /// How to connect to the cluster (whether or not it is running).
    public var endpoint: Endpoint {
        Endpoint(socketDirectory: self.socketDirectory, port: Self.port, superuser: self.superuser)
    }

    /// Path of a PostgreSQL program.
    func program(_ name: String) -> String {
        self.binDirectory.appending(path: name, directoryHint: .notDirectory).path
    }
}
