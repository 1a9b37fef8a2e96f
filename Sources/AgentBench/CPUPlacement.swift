import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which cores the parties of `bench chat` run on (Linux; elsewhere nothing is pinned).
///
/// In production the clients and the model provider are other machines; on one machine they share the
/// platform's cores, and a relay (which reads and writes every piece a second time) then takes CPU from its
/// own load generator. `split` gives the load generator with the emulator one half of the cores and the
/// server with PostgreSQL the other, as separate machines would; `shared` lets everything run anywhere.
public enum CPUPlacement: String, Sendable, CaseIterable {
    case split
    case shared

    /// The cores of the load generator and the emulator, and those of the server and PostgreSQL: the
    /// halves of `cores` (by default those this process may run on), the odd one to the platform.
    public static func halves(of cores: [Int] = allowedCores()) -> (load: [Int], platform: [Int])? {
        guard cores.count >= 2 else { return nil }
        return (Array(cores[..<(cores.count / 2)]), Array(cores[(cores.count / 2)...]))
    }

    /// The cores this process may run on (`Cpus_allowed_list`: a container may allow other cores than the
    /// first few); empty where it cannot be read.
    public static func allowedCores() -> [Int] {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return [] }
        return line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",")
            .flatMap { range -> [Int] in
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                guard let first = bounds.first, let last = bounds.last, first <= last else { return [] }
                return Array(first...last)
            }
    }

    /// Pins every thread of process `pid` to `cores`; threads it starts later inherit the mask of the
    /// thread that starts them. Returns how many threads were pinned.
    @discardableResult
    public static func pin(process pid: Int32, to cores: [Int]) -> Int {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return 0 }
        return threads.compactMap(Int32.init).filter { pin(thread: $0, to: cores) }.count
    }

    /// PostgreSQL's postmaster serving the backends whose title mentions `database`, and all its children:
    /// backends it forks later inherit its mask. Empty when no such backend runs on this machine.
    public static func postgresProcesses(serving database: String) -> [Int32] {
        let backends = processes { $0.commandLine.contains(database) }
        guard let postmaster = backends.lazy.compactMap({ parent(of: $0) }).first else { return [] }
        return [postmaster] + processes { parent(of: $0.pid) == postmaster }
    }

    // MARK: /proc

    private static func pin(thread: Int32, to cores: [Int]) -> Bool {
        var set = cpu_set_t()
        withUnsafeMutableBytes(of: &set) { bytes in
            for core in cores where core < bytes.count * 8 { bytes[core / 8] |= UInt8(1) << UInt8(core % 8) }
        }
        guard let setAffinity = Self.setAffinity else { return false }
        return setAffinity(thread, MemoryLayout<cpu_set_t>.size, &set) == 0
    }

    /// glibc's `sched_setaffinity`, which Swift's Glibc module leaves out (it is a GNU extension).
    private static let setAffinity: (@convention(c) (Int32, Int, UnsafeRawPointer) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int, UnsafeRawPointer) -> Int32).self)
    }()

    private static func processes(where matches: ((pid: Int32, commandLine: String)) -> Bool) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let commandLine = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                matches((pid, String(decoding: commandLine, as: UTF8.self)))
            else { return nil }
            return pid
        }
    }

    private static func parent(of pid: Int32) -> Int32? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("PPid:") }
        return line.flatMap { Int32($0.dropFirst("PPid:".count).trimmingCharacters(in: .whitespaces)) }
    }
}
