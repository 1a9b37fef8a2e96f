import Testing

/// Arguments out of range end `agentctl` with a message naming the option and a non-zero status, before
/// any work: never a trap after loading a benchmark's database.
@Suite struct CommandArgumentTests {
    @Test(arguments: [
        (["bench", "rls", "--rounds", "0"], "--clients, --seconds and --rounds must be positive"),
        (["bench", "rls", "--clients", "0"], "--clients, --seconds and --rounds must be positive"),
        (["bench", "crypto", "--iterations", "0"], "--iterations must be positive"),
    ])
    func outOfRangeArgumentsAreRefused(arguments: [String], message: String) async throws {
        let run = try await AgentCtlRun(arguments, environment: [:])
        #expect(run.status != 0)
        #expect(run.errors.contains(message), "\(run.errors)")
    }
}
