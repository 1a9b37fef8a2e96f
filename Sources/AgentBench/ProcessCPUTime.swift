import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// CPU time (user and system) that processes have used so far, read from `/proc` (Linux); nil where it
/// cannot be read. `bench chat` divides it by completions, to show where each side's CPU goes.
public enum ProcessCPUTime {
    /// The process `pid`'s CPU seconds.
    public static func seconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }

    /// This process's CPU seconds.
    public static var ownSeconds: Double? { seconds(pid: getpid()) }

    /// The CPU seconds of every process whose command line contains `fragment` (PostgreSQL's backends
    /// name their database in their process title); nil when none does.
    public static func seconds(ofProcessesMentioning fragment: String) -> Double? {
        let readings = ProcFiles.processes(mentioning: fragment).compactMap { seconds(pid: $0) }
        return readings.isEmpty ? nil : readings.reduce(0, +)
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
}
