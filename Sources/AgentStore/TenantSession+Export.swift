import NIOCore

extension TenantSession {
    /// Reads everything of the tenant, in the document order of ``AccountExportChunk``, handing each
    /// keyset page to `emit` before the next is read: memory holds one page (and the open conversation's
    /// head), whatever the account's size. Run it in a snapshot transaction for a consistent export.
    func exportAccount(pageSize: Int, _ emit: (AccountExportChunk) async throws -> Void) async throws {
        // A token not valid leaves the tenant unset: it would read nothing, so say why instead.
        guard try await opening.get() else { throw StoreError.unauthenticated }
        try await emit(.user(try await currentUser()))
        try await walk(pageSize, { try await agents($0) }, \.id.rawValue) { try await emit(.agents($0)) }
        try await walk(pageSize, { try await connections($0) }, \.id.rawValue) { try await emit(.connections($0)) }
        try await walk(pageSize, { try await links($0) }, \.id) { try await emit(.links($0)) }
        try await walk(pageSize, { try await tokens($0) }, \.id.rawValue) { try await emit(.tokens($0)) }
        try await walk(pageSize, { try await agents($0) }, \.id.rawValue) { agents in
            for agent in agents {
                try await walk(pageSize, { try await conversations(agentID: agent.id, $0) }, \.id.rawValue) { conversations in
                    for conversation in conversations {
                        try await emit(.conversation(conversation))
                        try await walk(
                            pageSize, { try await messages(agentID: agent.id, conversationID: conversation.id, $0) },
                            \.id.rawValue
                        ) { try await emit(.messages($0)) }
                    }
                }
            }
        }
        try await walk(pageSize, { try await agents($0) }, \.id.rawValue) { agents in
            for agent in agents {
                try await walk(pageSize, { try await feedbackPage(agentID: agent.id, $0) }, \.id) {
                    try await emit(.feedback($0))
                }
            }
        }
        try await walk(pageSize, { try await providerCalls($0) }, \.id) { try await emit(.providerCalls($0)) }
        try await walk(pageSize, { try await auditLog($0) }, \.id) { try await emit(.auditLog($0)) }
    }

    /// Reads a listing to its end, oldest first, one keyset page at a time; empty pages are not handed on.
    private func walk<Item: Sendable>(
        _ pageSize: Int, _ read: (PageRequest) async throws -> Page<Item>, _ cursorID: (Item) -> String,
        _ body: ([Item]) async throws -> Void
    ) async throws {
        var cursor: PageRequest.Cursor?
        while true {
            let page = try await read(PageRequest(limit: pageSize, cursor: cursor, order: .ascending))
            if !page.items.isEmpty { try await body(page.items) }
            guard page.hasMore, let last = page.items.last else { return }
            cursor = .after(cursorID(last))
        }
    }
}
