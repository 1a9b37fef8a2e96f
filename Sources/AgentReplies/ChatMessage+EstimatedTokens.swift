import AgentProviders
import AgentStore

extension ChatMessage {
    /// The tokens this turn is taken to cost before a provider counts them: its text and its speaker's
    /// name, each as `ContextBudget.estimatedTokens` counts text.
    public var estimatedTokens: Int {
        ContextBudget.estimatedTokens(content) + (name.map(ContextBudget.estimatedTokens) ?? 0)
    }
}
