import AgentBench
import AgentSecrets
import AgentStore
import ArgumentParser
import Foundation
import Logging
import PostgresNIO

extension BenchCommand {
    /// `agentctl bench console`: seeds an agent with many conversations, starts `agentctl serve` as a
    /// child process, and times the console's pages against the API's listing of the same rows.
    struct Console: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Server time of the web console's pages for an agent with many conversations.")
        @OptionGroup var config: ConfigurationOptions
        @Option(help: "Conversations of the agent.") var conversations = 1_000
        @Option(help: "Measured requests per page.") var requests = 300

        static let databaseName = "agent_platform_bench_console"

        func validate() throws {
            guard (1...100_000).contains(conversations), requests > 0 else {
                throw ValidationError("--conversations must be 1 to 100000 and --requests positive")
            }
        }

        func run() async throws {
            let command = self
            try await BenchCommand.withFreshDatabase(Self.databaseName, options: config) { store, keyHex, runtimeURL, analyze in
                try await command.measure(store: store, keyHex: keyHex, runtimeURL: runtimeURL, analyze: analyze)
            }
        }

        /// Seeds the user, agent and conversations (two messages each, and one of 100 whose replies are
        /// Markdown), gathers the statistics, starts the server and measures.
        private func measure(
            store: AgentStore, keyHex: String, runtimeURL: DatabaseURL, analyze: () async throws -> Void
        ) async throws {
            let user = try await store.createUser(NewUser(email: "bench-console@example.test"))
            let (agent, token, session) = try await store.withTenant(user.id) { session in
                let agent = try await session.createAgent(NewAgent(name: "bench", systemPrompt: "Answer briefly."))
                return (
                    agent, try await session.createToken(name: "bench").value,
                    try await session.startConsoleSession(scopes: TokenScope.all, lifetime: .seconds(3600)).value
                )
            }
            var last = ConversationID(rawValue: "none")!
            for batch in stride(from: 0, to: conversations, by: 100) {
                last = try await store.withTenant(user.id) { session in
                    var id = last
                    for index in batch..<min(conversations, batch + 100) {
                        id = try await session.createConversation(
                            agentID: agent.id, NewConversation(title: "Conversation \(index)")
                        ).id
                        _ = try await session.appendMessage(
                            agentID: agent.id, conversationID: id, NewMessage(role: .user, content: "Question number \(index)?"))
                        _ = try await session.appendMessage(
                            agentID: agent.id, conversationID: id,
                            NewMessage(role: .assistant, content: "Answer number \(index)."))
                    }
                    return id
                }
            }
            let markdown = ConversationID(rawValue: "markdown")!
            try await store.withTenant(user.id) { session in
                for number in 0..<50 {
                    _ = try await session.appendMessage(
                        agentID: agent.id, conversationID: markdown,
                        NewMessage(role: .user, content: "How do I run step \(number)?"))
                    _ = try await session.appendMessage(
                        agentID: agent.id, conversationID: markdown,
                        NewMessage(role: .assistant, content: ConsoleBenchmark.markdownReply(number)))
                }
            }
            try await analyze()
            let port = Int.random(in: 20_000...40_000)
            let server = try ServerProcess.start(
                port: port,
                environment: [
                    "API_RATE_LIMIT_PER_ADDRESS": "0", "API_RATE_LIMIT_PER_CREDENTIAL": "0",
                ],
                secrets: [.databaseURL: runtimeURL.replacing(), .encryptionKey: keyHex])
            defer { server.stop() }
            try await server.waitUntilHealthy()
            var benchmark = ConsoleBenchmark(
                host: "127.0.0.1", port: port, session: session, token: token, agentID: agent.id.rawValue,
                conversationID: last.rawValue, markdownConversationID: markdown.rawValue)
            benchmark.requests = requests
            print("\(conversations) conversations of one agent, 2 messages each; one request at a time over loopback")
            for line in try await benchmark.run() { print(line) }
        }
    }
}
