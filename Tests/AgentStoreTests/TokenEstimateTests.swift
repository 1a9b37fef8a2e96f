import AgentStore
import Testing

/// The platform's token estimate, which reserves a budget and counts what a provider did not report.
@Suite struct TokenEstimateTests {
    /// English runs about four characters a token; any other character is at least a token in the
    /// providers' tokenizers, where four bytes a token made a Chinese character three quarters of one.
    @Test(arguments: [
        ("", 0), ("abcd", 1), ("abcde", 2), ("你好", 2), ("你好, world", 4), ("é", 1), ("👋🏽", 2),
    ])
    func aCharacterBeyondASCIIIsATokenOfItsOwn(_ text: String, _ tokens: Int) {
        #expect(ContextBudget.estimatedTokens(text) == tokens)
    }
}
