import Foundation
import Testing

@testable import LocalPostgres

/// The lock that serialises cluster operations across processes and tasks.
@Suite struct FileLockTests {
    @Test func holdersTakeTurns() async throws {
        let folder = try TemporaryFolder.make("lock")
        let inside = Tally()
        let mostInside = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await FileLock.withLock(
                        named: "cluster.lock", in: { () throws(LocalClusterError) -> ClusterEntry in try Self.open(folder) }
                    ) {
                        () async throws(LocalClusterError) in
                        let now = inside.add(1)
                        mostInside.raise(to: now)
                        try? await Task.sleep(for: .milliseconds(50))
                        inside.add(-1)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(mostInside.value == 1)
    }

    @Test func aLockFileDeletedWhileWaitingIsRecreated() async throws {
        let folder = try TemporaryFolder.make("lock-removed")
        let path = folder.appending(path: "cluster.lock").path
        let prepared = Tally()
        let holding = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await FileLock.withLock(
                    named: "cluster.lock", in: { () throws(LocalClusterError) -> ClusterEntry in try Self.open(folder) }
                ) {
                    () async throws(LocalClusterError) in
                    holding.add(1)
                    // The waiter must have opened the file before it goes: a fixed 100 ms was once too short,
                    // under the whole suite's load, for the waiter to start at all (30 s at most).
                    for _ in 0..<3000 where prepared.value == 0 { try? await Task.sleep(for: .milliseconds(10)) }
                    try? await Task.sleep(for: .milliseconds(100))
                    // As remove() does: delete the file while holding its lock.
                    try? FileManager.default.removeItem(atPath: path)
                }
            }
            // The waiter comes once the lock is held: first, it would take the lock itself.
            for _ in 0..<3000 where holding.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
            group.addTask {
                let reopen = { () throws(LocalClusterError) -> ClusterEntry in
                    _ = prepared.add(1)
                    return try Self.open(folder)
                }
                try await FileLock.withLock(named: "cluster.lock", in: reopen) { () async throws(LocalClusterError) in
                    #expect(FileManager.default.fileExists(atPath: path))
                }
            }
            try await group.waitForAll()
        }
        #expect(prepared.value >= 2, "the waiter started over on the new file")
    }

    @Test func aWaiterGivesUpOnAHolderThatNeverLetsGo() async throws {
        let folder = try TemporaryFolder.make("lock-held")
        let held = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await FileLock.withLock(
                    named: "cluster.lock", in: { () throws(LocalClusterError) -> ClusterEntry in try Self.open(folder) }
                ) { () async throws(LocalClusterError) in
                    held.add(1)
                    for _ in 0..<3000 where held.value == 1 { try? await Task.sleep(for: .milliseconds(10)) }
                }
            }
            for _ in 0..<3000 where held.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let started = ContinuousClock.now
            do {
                _ = try await FileLock.withLock(
                    named: "cluster.lock", in: { () throws(LocalClusterError) -> ClusterEntry in try Self.open(folder) },
                    patience: .milliseconds(200)
                ) { () async throws(LocalClusterError) in
                    Issue.record("the lock was taken while held")
                }
                Issue.record("the waiter did not give up")
            } catch {
                #expect("\(error)".contains("held it for"))
            }
            #expect(ContinuousClock.now - started < .seconds(20))
            held.add(1)
            try await group.waitForAll()
        }
    }

    /// The folder the lock lives in, as the cluster opens its own.
    static func open(_ folder: URL) throws(LocalClusterError) -> ClusterEntry {
        try ClusterEntry.open(folder.path, .directory, owners: [geteuid()])
    }
}
