import Foundation
import Testing

@testable import LocalPostgres

/// The cluster trusts no one: the user running the platform connects over the socket as the roles the
/// identity map gives it, as no other role, and not over TCP at all.
@Suite struct LocalClusterAuthenticationTests {
    @Test func onlyMappedRolesConnectAndOnlyOverTheSocket() async throws {
        let cluster = try LocalCluster(
            folder: try TemporaryFolder.make("auth").appending(path: "postgres"), binDirectory: TemporaryFolder.binDirectory,
            clientRoles: ["agent_app"], durable: false)
        try await cluster.start()
        do {
            try await Self.checkAuthentication(cluster)
        } catch {
            try? await cluster.remove()
            throw error
        }
        try await cluster.remove()
    }

    static func checkAuthentication(_ cluster: LocalCluster) async throws {
        for role in ["agent_app", "intruder"] {
            let created = try await Self.psql(cluster, as: cluster.superuser, "CREATE ROLE \(role) LOGIN")
            #expect(created.status == 0, "\(created.output)")
        }
        // No TCP address, no TCP line that lets anyone in, no trust anywhere.
        let rules = try await Self.psql(
            cluster, as: cluster.superuser,
            "SELECT current_setting('listen_addresses') || '|' || (SELECT count(*) FROM pg_hba_file_rules"
                + " WHERE type <> 'local' AND auth_method <> 'reject') || '|' || (SELECT count(*) FROM pg_hba_file_rules"
                + " WHERE auth_method = 'trust')")
        #expect(rules.status == 0 && rules.output.trimmingCharacters(in: .whitespacesAndNewlines) == "|0|0", "\(rules.output)")

        let app = try await Self.psql(cluster, as: "agent_app", "SELECT current_user")
        #expect(app.status == 0 && app.output.contains("agent_app"), "\(app.output)")

        let intruder = try await Self.psql(cluster, as: "intruder", "SELECT current_user")
        #expect(intruder.status != 0)
        #expect(intruder.output.contains("Peer authentication failed"), "\(intruder.output)")

        // Whatever listens on TCP port 5432 of this machine, it is not this cluster.
        let tcp = try await Self.psql(
            cluster, as: cluster.superuser, host: "127.0.0.1", "SELECT current_setting('data_directory')")
        #expect(!(tcp.status == 0 && tcp.output.contains(cluster.dataDirectory.path)), "\(tcp.output)")
    }

    /// `psql` as the user running the tests, connecting as `role` (`-A -t`: bare values, one a line).
    static func psql(
        _ cluster: LocalCluster, as role: String, host: String? = nil, _ sql: String
    ) async throws -> ClusterCommand.Outcome {
        try await ClusterCommand(
            arguments: [
                cluster.program("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host ?? cluster.socketDirectory,
                "-p", "\(LocalCluster.port)", "-U", role, "-d", "postgres", "-c", sql,
            ],
            directory: cluster.folder, timeout: .seconds(30), account: nil
        ).run()
    }
}
