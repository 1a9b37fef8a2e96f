import AgentReplies
import AgentStore
import ArgumentParser
import Logging

/// `agentctl users create|update|delete|limits`: a user, created, corrected and deleted inside its own tenant
/// like any other, and the limits the operator sets for it.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage users.", subcommands: [Create.self, Update.self, Delete.self, Limits.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; prints its id on the last line.")
        @Option(help: "The user's email address.") var email: String
        @Option(help: "A display name.") var name: String?
        @Option(
            help:
                "Use this id instead of a generated one (an id of the original design's data, say); a JSON Web Token's user is jwt- and a hash of its iss and sub, made on first sight with JWT_AUTO_PROVISION."
        ) var id: String?
        @OptionGroup var config: ConfigurationOptions

        func run() async throws {
            let configuration = try await config.load()
            let logger = Logger(label: "agentctl.users")
            let userID = try id.map { raw in
                guard let id = UserID(rawValue: raw) else {
                    throw CommandFailure("--id must be 1 to 128 characters without spaces")
                }
                return id
            }
            let context = try await PlatformContext.resolve(configuration, logger: logger)
            let user = try await context.withStore(keyring: nil, maxConnections: 1) {
                try await $0.createUser(NewUser(id: userID, email: email, displayName: name))
            }
            print("created user \(user.email)")
            print(user.id.rawValue)
        }
    }

    /// `agentctl users update`: corrects a user's email or display name, as `PATCH /v1/me` does; in the user's
    /// audit log as the operator's (`user.updated`, naming the fields, not their values).
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Correct a user's email or display name.")
        @OptionGroup var user: UserOption
        @Option(help: "The corrected email address.") var email: String?
        @Option(help: "The corrected display name.") var name: String?
        @Flag(help: "Remove the display name.") var clearName = false

        func validate() throws {
            guard email != nil || name != nil || clearName else {
                throw ValidationError("Give --email, --name or --clear-name: there is nothing to change.")
            }
            guard !(name != nil && clearName) else { throw ValidationError("Give --name or --clear-name, not both.") }
        }

        func run() async throws {
            let changes = UserChanges(email: email, displayName: clearName ? .some(nil) : name.map { .some($0) })
            let updated = try await user.withOperatorSession { session, _ in try await session.updateCurrentUser(changes) }
            print("updated user \(updated.id.rawValue): \(updated.email)\(updated.displayName.map { " (\($0))" } ?? "")")
        }
    }

    /// `agentctl users delete`: deletes a user and everything of theirs, as `DELETE /v1/me` does (an erasure
    /// the user asked the operator for); in the audit log as the operator's. Their running replies are
    /// stopped by every instance, as the deletion's published cancels reach it.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user with their agents, connections, conversations, tokens and call ledger.")
        @OptionGroup var user: UserOption
        @Flag(help: "Confirm the deletion, which cannot be undone.") var yes = false

        func validate() throws {
            guard yes else { throw ValidationError("Deleting a user cannot be undone: add --yes to confirm.") }
        }

        func run() async throws {
            let stopped = try await user.withOperatorSession { session, _ in try await session.deleteCurrentUser() }
            print("deleted user \(user.user)\(stopped.isEmpty ? "" : "; \(stopped.count) running replies stopped")")
        }
    }

    /// `agentctl users limits`: shows a user's chat limit overrides, or sets them.
    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set a user's chat limits (overrides of CHAT_MONTHLY_TOKEN_BUDGET and CHAT_REQUESTS_PER_MINUTE).",
            discussion: "A value of `default` removes that override; `unlimited` lifts the limit for this user.")
        @Option(help: "The user's id.") var user: String
        @Option(help: "Tokens per calendar month (UTC): a number, `unlimited` or `default`.") var monthlyTokens: String?
        @Option(help: "Model requests per minute: a number, `unlimited` or `default`.") var requestsPerMinute: String?
        @OptionGroup var config: ConfigurationOptions

        /// Every value is checked before the database is touched.
        func validate() throws {
            guard UserID(rawValue: user) != nil else { throw ValidationError("--user must be a user id") }
            if let monthlyTokens { _ = try Self.limit(monthlyTokens, "--monthly-tokens") }
            if let requestsPerMinute { _ = try Self.limit(requestsPerMinute, "--requests-per-minute") }
        }

        func run() async throws {
            let configuration = try await config.load()
            let logger = Logger(label: "agentctl.users")
            guard let userID = UserID(rawValue: user) else { throw CommandFailure("--user must be a user id") }
            let context = try await PlatformContext.resolve(configuration, logger: logger)
            // Checked by `validate` already; only the options given change, in one transaction.
            let budget = try monthlyTokens.map { try Self.limit($0, "--monthly-tokens") }
            let rate = try requestsPerMinute.map { try Self.limit($0, "--requests-per-minute") }
            return try await context.withStore(keyring: nil, maxConnections: 1) { store in
                // The operator's role reads no users; the tenant's reads its own. A mistyped id would otherwise
                // show the defaults as if they were that user's.
                _ = try await store.withTenant(userID) { try await $0.currentUser() }
                let shown = try await context.withAdmin(maxConnections: 1) { admin in
                    let overrides = ChatLimitOverrides(admin: admin, logger: logger)
                    guard budget != nil || rate != nil else { return try await overrides.overrides(for: userID) }
                    let change = try await overrides.change(for: userID) { limits in
                        if let budget { limits.monthlyTokenBudget = budget }
                        if let rate { limits.requestsPerMinute = rate }
                    }
                    // The tenant's own log, as the operator's: after the change's commit, which the operator's
                    // log records with it (a failure here says so, and the change stands).
                    do {
                        try await store.withTenant(userID) { try await $0.actingAsOperator().recordLimitsChange(change) }
                    } catch {
                        StandardStream.error(
                            "note: the limits were changed; recording the change in the user's audit log failed\n")
                        throw error
                    }
                    return change.after
                }
                Self.show(shown, defaults: configuration.replies.defaultLimits)
            }
        }

        private static func show(_ shown: ChatLimits, defaults: ChatLimits) {
            print(
                "monthly token budget: "
                    + Self.describe(
                        shown.monthlyTokenBudget, default: defaults.monthlyTokenBudget,
                        unlimited: ChatLimits.unlimitedMonthlyTokenBudget))
            print(
                "requests per minute: "
                    + Self.describe(
                        shown.requestsPerMinute, default: defaults.requestsPerMinute,
                        unlimited: ChatLimits.unlimitedRequestsPerMinute))
        }

        /// The override an option names: nil for `default`; for `unlimited`, the largest value its column
        /// holds, so that "unlimited for this user" outlives a lower default.
        static func limit(_ text: String, _ option: String) throws -> Int? {
            // The column's range: a per-minute limit is an integer, a budget a bigint.
            let largest =
                option == "--requests-per-minute" ? ChatLimits.unlimitedRequestsPerMinute : ChatLimits.unlimitedMonthlyTokenBudget
            switch text {
            case "default": return nil
            case "unlimited": return largest
            default:
                guard let value = Int(text), (0...largest).contains(value) else {
                    throw ValidationError("\(option) must be a number from 0 to \(largest), `unlimited` or `default`")
                }
                return value
            }
        }

        /// `unlimited` is the value `unlimited` stores for this limit: a budget of three billion tokens is
        /// one, not unlimited.
        static func describe(_ value: Int?, default fallback: Int?, unlimited: Int) -> String {
            guard let value else { return "\(fallback.map(String.init) ?? "unlimited") (the default)" }
            return value >= unlimited ? "unlimited (override)" : "\(value) (override)"
        }
    }
}
