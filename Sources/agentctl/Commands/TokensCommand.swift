import AgentStore
import ArgumentParser
import Foundation
import Logging

/// `agentctl tokens create|list|revoke`: personal API tokens, stored only as hashes.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Manage a user's API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct UserOption: ParsableArguments {
        @Option(help: "The user's id.") var user: String
        @OptionGroup var config: ConfigurationOptions

        var userID: UserID {
            get throws {
                guard let id = UserID(rawValue: user) else { throw CommandFailure("--user is not a valid user id") }
                return id
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; prints it on the last line, once.")
        @OptionGroup var user: UserOption
        @Option(help: "A name to recognise the token by.") var name: String = ""

        func run() async throws {
            let issued = try await withTenant(user) { try await $0.createToken(name: name) }
            print("created token \(issued.token.id)")
            print(issued.value)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's tokens (never their values).")
        @OptionGroup var user: UserOption

        func run() async throws {
            let tokens = try await withTenant(user) {
                try await $0.tokens(PageRequest(limit: PageRequest.maximumLimit, order: .descending)).items
            }
            let format = ISO8601DateFormatter()
            for token in tokens {
                let used = token.lastUsedAt.map(format.string(from:)) ?? "never"
                let state = token.revokedAt == nil ? "active" : "revoked"
                print("\(token.id)\t\(state)\tcreated \(format.string(from: token.createdAt))\tlast used \(used)\t\(token.name)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; it stops working at once.")
        @OptionGroup var user: UserOption
        @Argument(help: "The token's id.") var tokenID: String

        func run() async throws {
            try await withTenant(user) { session in
                // An implausible id names no token, as an unknown one does.
                guard let id = TokenID(rawValue: tokenID) else { throw StoreError.notFound(resource: "token") }
                try await session.revokeToken(id)
            }
            print("revoked \(tokenID)")
        }
    }
}

private func withTenant<Result: Sendable>(
    _ user: TokensCommand.UserOption, _ body: (TenantSession) async throws -> Result
) async throws -> Result {
    let userID = try user.userID
    let configuration = try await user.config.load()
    let logger = Logger(label: "agentctl.tokens")
    let context = try await PlatformContext.resolve(configuration, logger: logger)
    return try await context.withStore(keyring: nil, maxConnections: 1) { try await $0.withTenant(userID, body) }
}
