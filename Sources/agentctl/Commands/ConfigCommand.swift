import ArgumentParser
import Foundation

/// `agentctl config check`: the effective configuration, without starting anything.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the platform's configuration.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every setting, its value and where it came from; exit 2 if any is invalid or serve would refuse it.",
            discussion: """
                Settings come from environment variables and, optionally, a JSON file named by --config or \
                AGENT_PLATFORM_CONFIG; a variable wins over the file. Secrets are shown as <redacted>, a \
                database URL's password as ***. Nothing is started or connected to.

                File keys, nested as objects (e.g. {"api": {"port": 8080}}):
                \(Setting.all.map { "  \($0.fileKey) = \($0.variable)" }.joined(separator: "\n"))
                """)
        @OptionGroup var config: ConfigurationOptions

        func run() async throws {
            let check = await PlatformConfiguration.check(
                environment: ProcessInfo.processInfo.environment, configFile: config.file
            ).forServing()
            print(Self.report(check))
            guard check.problems.isEmpty else {
                for problem in check.problems {
                    StandardStream.error("error: \(problem.message)\n")
                }
                throw ExitCode(2)
            }
        }

        /// The configuration file, then one aligned line a setting: name, shown value, source.
        static func report(_ check: ConfigurationCheck) -> String {
            let file =
                switch (check.file, check.fileRead) {
                case (nil, _): "none (set --config or \(Setting.configurationFileVariable) to use one)"
                case (let path?, true): path
                // The table would otherwise read as the file's values, sources "default" where it set others.
                case (let path?, false): "\(path), not read (see the problem below): no value below is from it"
                }
            var lines = ["configuration file: \(file)"]
            let rows =
                [("SETTING", "VALUE", "SOURCE")] + check.settings.map { ($0.setting.variable, $0.shownValue, "\($0.source)") }
            let nameWidth = rows.map(\.0.count).max() ?? 0
            let valueWidth = rows.map(\.1.count).max() ?? 0
            for (name, value, source) in rows {
                lines.append(Self.padded(name, nameWidth) + "  " + Self.padded(value, valueWidth) + "  " + source)
            }
            lines.append(
                check.problems.isEmpty ? "configuration is valid" : "configuration is invalid: \(check.problems.count) problem(s)"
            )
            return lines.joined(separator: "\n")
        }

        private static func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }
    }
}
