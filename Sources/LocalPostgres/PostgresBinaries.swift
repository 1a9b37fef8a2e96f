import Foundation

/// Locates the PostgreSQL server programs.
///
/// Debian installs them outside `PATH` in `/usr/lib/postgresql/<major>/bin`, so that is searched
/// first; `PATH` is a last resort for Homebrew-style installs.
enum PostgresBinaries {
    /// Programs a folder must hold to be usable.
    static let requiredPrograms = ["initdb", "pg_ctl", "postgres"]
    /// The major version the platform is developed against; chosen over newer ones when present.
    static let preferredMajor = 15
    /// Where Debian's `postgresql-<major>` packages put their binaries.
    static let debianRoot = "/usr/lib/postgresql"

    /// The binaries folder when none is configured (the platform's `POSTGRES_BIN_DIR` is passed to
    /// ``LocalCluster/init(folder:binDirectory:superuser:durable:)`` instead): the preferred or newest
    /// Debian install, else a folder of `searchPath` (our `PATH`). `debianRoot` is Debian's own folder
    /// but in tests.
    static func locate(
        searchPath: String? = ProcessInfo.processInfo.environment["PATH"], debianRoot: String = debianRoot
    ) throws(LocalClusterError) -> URL {
        var searched: [String] = []
        for candidate in self.debianCandidates(in: debianRoot) {
            searched.append(candidate)
            if self.isUsable(candidate) { return URL(filePath: candidate, directoryHint: .isDirectory) }
        }
        if searched.isEmpty { searched.append("\(debianRoot)/*/bin") }
        for directory in (searchPath ?? "").split(separator: ":").map(String.init) where !directory.isEmpty {
            if self.isUsable(directory) { return URL(filePath: directory, directoryHint: .isDirectory) }
        }
        searched.append("PATH")
        throw .binariesNotFound(searched: searched)
    }

    /// Whether `directory` holds every required program as an executable file.
    static func isUsable(_ directory: String) -> Bool {
        self.requiredPrograms.allSatisfy { FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }
    }

    /// Debian binary folders, preferred major first, then newest to oldest.
    private static func debianCandidates(in debianRoot: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: debianRoot)) ?? []
        let majors = entries.compactMap { entry in Double(entry).map { (entry, $0) } }
        let ordered = majors.sorted { lhs, rhs in
            let lhsPreferred = lhs.1 == Double(self.preferredMajor)
            let rhsPreferred = rhs.1 == Double(self.preferredMajor)
            if lhsPreferred != rhsPreferred { return lhsPreferred }
            return lhs.1 > rhs.1
        }
        return ordered.map { "\(debianRoot)/\($0.0)/bin" }
    }
}

extension LocalCluster {
    /// Whether `directory` holds the server programs a cluster needs (`initdb`, `pg_ctl`, `postgres`),
    /// for validating a configured binaries folder before any cluster is touched.
    public static func hasServerPrograms(in directory: URL) -> Bool {
        PostgresBinaries.isUsable(directory.path)
    }
}
