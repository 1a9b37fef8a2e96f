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
        guard let list = ProcFiles.status("Cpus_allowed_list") else { return [] }
        return list.split(separator: ",").flatMap { range -> [Int] in
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
        let backends = ProcFiles.processes(mentioning: database)
        guard let postmaster = backends.lazy.compactMap({ parent(of: $0) }).first else { return [] }
        return [postmaster] + ProcFiles.processes { pid, _ in parent(of: pid) == postmaster }
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

    private static func parent(of pid: Int32) -> Int32? {
        ProcFiles.status("PPid", of: "\(pid)").flatMap { Int32($0) }
    }
}
