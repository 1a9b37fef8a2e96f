import AgentBench
import Foundation

/// Where `bench chat` and `bench api` run their parties (see `CPUPlacement`).
struct BenchPlacement {
    /// The cores of the load generator, and those of the server and PostgreSQL; nil when nothing is pinned.
    let halves: (load: [Int], platform: [Int])?
    /// Every core this process was allowed before it was pinned.
    let all: [Int]
    let database: String
    /// When split: whether a local PostgreSQL serving `database` was found and pinned.
    let postgresIsLocal: Bool

    /// Pins the server and the local PostgreSQL serving `database` to the platform's half of the cores and
    /// this process to the load generator's, when `placement` is `split` and there are two cores or more.
    init(_ placement: CPUPlacement, server: ServerProcess, database: String) {
        // Read before this process is pinned: afterwards it may run on half of them.
        all = CPUPlacement.allowedCores()
        self.database = database
        halves = placement == .split ? CPUPlacement.halves(of: all) : nil
        guard let (load, platform) = halves else {
            postgresIsLocal = false
            return
        }
        CPUPlacement.pin(process: getpid(), to: load)
        CPUPlacement.pin(process: server.processIdentifier, to: platform)
        let postgres = CPUPlacement.postgresProcesses(serving: database)
        postgresIsLocal = !postgres.isEmpty
        for pid in postgres { CPUPlacement.pin(process: pid, to: platform) }
    }

    /// What runs where, for the report; `load` names what shares the load generator's cores.
    func line(load: String) -> String {
        guard let (loadCores, platform) = halves else {
            return all.count < 2 ? "placement=shared: one core, nothing pinned" : "placement=shared: every party on any core"
        }
        let listed = { (cores: [Int]) in cores.map(String.init).joined(separator: ",") }
        let postgres = postgresIsLocal ? " and PostgreSQL" : " (PostgreSQL is not on this machine)"
        return "placement=split: \(load) on cores \(listed(loadCores)), server\(postgres) on cores \(listed(platform))"
    }

    /// Moves this process (and the threads it starts from now on) to the platform's cores, where the store
    /// runs in place of the server, or back to the load generator's.
    func runThisProcess(asPlatform: Bool) {
        guard let (load, platform) = halves else { return }
        CPUPlacement.pin(process: getpid(), to: asPlatform ? platform : load)
    }

    /// Gives the local PostgreSQL all cores back: it outlives the benchmark.
    func release() {
        guard halves != nil, !all.isEmpty else { return }
        for pid in CPUPlacement.postgresProcesses(serving: database) { CPUPlacement.pin(process: pid, to: all) }
    }
}
