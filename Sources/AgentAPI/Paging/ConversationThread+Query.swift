import AgentStore
import Hummingbird

extension ConversationThread.End {
    /// The thread a request's query names: `through` a message (a version of it, chosen), exactly `at` one
    /// (the earlier messages of a thread), or else the conversation's newest. Ids that cannot be a
    /// message's, or both at once, are refused naming the parameter.
    public init(query request: Request) throws {
        let query = request.queryFields
        func message(_ name: String) throws -> MessageID? {
            try query[name].map {
                guard let id = MessageID(rawValue: $0) else {
                    throw Problem.badParameter(name, "names no message")
                }
                return id
            }
        }
        switch (try message("through"), try message("at")) {
        case (let through?, nil): self = .through(through)
        case (nil, let at?): self = .at(at)
        case (nil, nil): self = .newest
        case (_?, _?):
            throw Problem.invalid([
                Problem.FieldError(field: "through", reason: "cannot be combined with at"),
                Problem.FieldError(field: "at", reason: "cannot be combined with through"),
            ])
        }
    }
}
