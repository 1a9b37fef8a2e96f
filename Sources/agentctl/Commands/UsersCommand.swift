import AgentStore
import ArgumentParser
import Logging

/// `agentctl users create`: a user, created inside its own tenant like any other.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage users.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; prints its id on the last line.")
        @Option(help: "The user's email address.") var email: String
        @Option(help: "A display name.") var name: String?
        @Option(help: "Use this id instead of a generated one (e.g. an identity provider's subject).") var id: String?
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
}
