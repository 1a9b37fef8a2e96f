import AgentAPI
import AgentStore
import ArgumentParser
import Foundation
import Logging

/// `agentctl tokens create|list|revoke`: personal API tokens, stored only as hashes.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Manage a user's API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; prints it on the last line, once.")
        @OptionGroup var user: UserOption
        @Option(help: "A name to recognise the token by.") var name: String = ""
        @Option(help: "Days until the token expires (default TOKEN_DEFAULT_DAYS, at most TOKEN_MAX_DAYS).")
        var expiresInDays: Int?
        @Option(
            name: .customLong("scope"),
            help: "What the token may do: read, write or admin (each includes those before it); repeatable. Default: all.")
        var scopes: [String] = []

        func validate() throws {
            guard scopes.allSatisfy({ TokenScope(rawValue: $0) != nil }) else {
                throw ValidationError("--scope must be read, write or admin")
            }
        }

        func run() async throws {
            let chosen = Set(scopes.compactMap(TokenScope.init(rawValue:)))
            let issued = try await user.withOperatorSession { session, configuration in
                try await session.createToken(
                    name: name, expiresInDays: expiresInDays, scopes: chosen.isEmpty ? TokenScope.all : chosen,
                    lifetime: configuration.api.tokenLifetime)
            }
            let expiry = issued.token.expiresAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never"
            let scopeList = issued.token.scopes.map(\.rawValue).joined(separator: ",")
            print("created token \(issued.token.id), scopes \(scopeList), expires \(expiry)")
            print(issued.value)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's tokens (never their values).")
        @OptionGroup var user: UserOption

        func run() async throws {
            // Every page: an operator checking a user's tokens must not miss the older ones.
            let tokens = try await user.withOperatorSession { session, _ in
                try await Page.all(id: { $0.id.rawValue }) { try await session.tokens($0) }
            }
            let format = ISO8601DateFormatter()
            for token in tokens {
                let used = token.lastUsedAt.map(format.string(from:)) ?? "never"
                let state =
                    token.revokedAt != nil ? "revoked" : token.expiresAt.map { $0 <= Date() } == true ? "expired" : "active"
                let expires = token.expiresAt.map(format.string(from:)) ?? "never"
                let scopes = token.scopes.map(\.rawValue).joined(separator: ",")
                print(
                    "\(token.id)\t\(state)\t\(scopes)\tcreated \(format.string(from: token.createdAt))\texpires \(expires)"
                        + "\tlast used \(used)\t\(token.name.terminalSafe)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; it stops working at once.")
        @OptionGroup var user: UserOption
        @Argument(help: "The token's id.") var tokenID: String

        func run() async throws {
            let newly = try await user.withOperatorSession { session, _ in
                // An implausible id names no token, as an unknown one does.
                guard let id = TokenID(rawValue: tokenID) else { throw StoreError.notFound(resource: "token") }
                return try await session.revokeToken(id)
            }
            print(newly ? "revoked \(tokenID)" : "already revoked \(tokenID)")
        }
    }
}
