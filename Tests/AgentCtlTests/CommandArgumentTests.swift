import Testing

/// Arguments out of range end `agentctl` with a message naming the option and a non-zero status, before
/// any work: never a trap after loading a benchmark's database.
@Suite struct CommandArgumentTests {
    @Test(arguments: [
        (["bench", "rls", "--rounds", "0"], "--clients, --seconds and --rounds must be positive"),
        (["bench", "rls", "--clients", "0"], "--clients, --seconds and --rounds must be positive"),
        (["bench", "crypto", "--iterations", "0"], "--iterations must be positive"),
        (["bench", "crypto", "--script", "/nonexistent/seed.mjs"], "--script /nonexistent/seed.mjs is not a readable file"),
        (["bench", "rls", "--seconds", "1e300"], "--seconds must be at most 86400"),
        (["bench", "api", "--seconds", "inf"], "--seconds must be at most 86400"),
        (["bench", "chat", "--seconds", "inf"], "--seconds must be at most 86400"),
        (["bench", "chat", "--seconds", "nan"], "must be positive"),
        (["users", "limits", "--user", "u", "--monthly-tokens", "lots"], "--monthly-tokens must be a number from 0 to"),
        (
            ["users", "limits", "--user", "u", "--requests-per-minute", "3000000000"],
            "--requests-per-minute must be a number from 0 to 2147483647"
        ),
        (["tokens", "create", "--user", "u", "--scope", "root"], "--scope must be read, write or admin"),
        (["keys", "rotate", "--batch-size", "0"], "--batch-size must be 1 to 10000"),
        (["migrate", "down", "--to", "-1"], "--to must be a version, 0 or more"),
        (["migrate", "up", "--to", "-3"], "--to must be a version, 0 or more"),
    ])
    func outOfRangeArgumentsAreRefused(arguments: [String], message: String) async throws {
        let run = try await AgentCtlRun(arguments, environment: [:])
        #expect(run.status != 0)
        #expect(run.errors.contains(message), "\(run.errors)")
    }
}
