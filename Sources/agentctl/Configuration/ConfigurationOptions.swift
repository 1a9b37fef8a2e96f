import ArgumentParser
import Foundation
import Logging

/// `--config FILE`, for every command that reads the platform's configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "A JSON configuration file (default: $AGENT_PLATFORM_CONFIG); environment variables win over it.",
            valueName: "file"))
    var file: String?

    /// The configuration from this process's environment and the file; throws, naming every invalid
    /// setting, before anything starts. Then bootstraps logging at `LOG_LEVEL`, else `defaultLogLevel`.
    func load(defaultLogLevel: Logger.Level = .warning) async throws -> PlatformConfiguration {
        let configuration = try await PlatformConfiguration.load(
            environment: ProcessInfo.processInfo.environment, configFile: file)
        AgentCtl.bootstrapLogging(level: configuration.logLevel ?? defaultLogLevel)
        return configuration
    }
}
