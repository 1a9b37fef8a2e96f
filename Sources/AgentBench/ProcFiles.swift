import Foundation

/// What Linux's `/proc` tells of processes; nil or empty where it cannot be read (another system, a
/// process that is gone).
public enum ProcFiles {
    /// The value of the `name:` line of `/proc/<process>/status` (`self`: this process), trimmed.
    public static func status(_ name: String, of process: String = "self") -> String? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(name):") })
        else { return nil }
        return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
    }

    /// The processes whose command line contains `fragment` (PostgreSQL's backends name their database in
    /// their process title).
    public static func processes(mentioning fragment: String) -> [Int32] {
        processes { _, commandLine in commandLine.contains(fragment) }
    }

    /// The processes for which `matches` holds, given each one's id and command line.
    public static func processes(where matches: (_ pid: Int32, _ commandLine: String) -> Bool) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let commandLine = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                matches(pid, String(decoding: commandLine, as: UTF8.self))
            else { return nil }
            return pid
        }
    }
}
