import AgentStore
import Testing

@testable import AgentBench

@Suite struct BenchmarkDatasetTests {
    @Test func defaultShapesAreValid() throws {
        try BenchmarkDataset().validate()
        try BenchmarkDataset(conversationLength: 50).validate()
    }

    /// The smallest shapes that used to divide by zero are refused with the flag to change.
    @Test(arguments: [
        (tenants: 10, messages: 1_000, conversationLength: 50),
        (tenants: 1, messages: 5, conversationLength: 10),
        (tenants: 2, messages: 250, conversationLength: 10),
        (tenants: 0, messages: 1_000, conversationLength: 10),
        (tenants: 1, messages: 0, conversationLength: 10),
    ])
    func tinyOrUnevenShapesAreRefused(tenants: Int, messages: Int, conversationLength: Int) {
        let dataset = BenchmarkDataset(tenants: tenants, messages: messages, conversationLength: conversationLength)
        #expect(throws: BenchmarkDatasetError.self) { try dataset.validate() }
    }

    @Test func refusalNamesAValidMessageCount() throws {
        let dataset = BenchmarkDataset(tenants: 10, messages: 1_000, conversationLength: 50)
        let error = try #require(throws: BenchmarkDatasetError.self) { try dataset.validate() }
        #expect(error.description.contains("--messages 5000"))
        try BenchmarkDataset(tenants: 10, messages: 5_000, conversationLength: 50).validate()
    }

    /// In the smallest valid shape every conversation index of every tenant maps to an existing agent
    /// and conversation, numbered without gaps or overlaps.
    @Test func smallestShapeMapsEveryConversation() throws {
        let dataset = BenchmarkDataset(tenants: 3, messages: 3 * 10 * 50, conversationLength: 50)
        try dataset.validate()
        #expect(dataset.conversationsPerTenant == 10)
        var seen = Set<String>()
        for user in 1...dataset.tenants {
            for index in 0..<dataset.conversationsPerTenant {
                let (agent, conversation) = dataset.conversation(user: user, index: index)
                let agentNumber = Int(agent.rawValue.dropFirst())!
                #expect((user - 1) * 10 + 1...user * 10 ~= agentNumber)
                seen.insert(conversation.rawValue)
            }
        }
        #expect(seen.count == 30)
        #expect(seen.contains("conv1") && seen.contains("conv30"))
    }
}
