/// The outcome of reading the configuration: what `agentctl config check` prints, and the
/// configuration itself when every setting is valid.
struct ConfigurationCheck: Sendable {
    /// The configuration file named, if any.
    let file: String?
    /// Whether that file could be read: one that could not (missing, not JSON, unknown keys) is named but
    /// gave no value.
    var fileRead = true
    /// Every setting with its shown value and source, in ``Setting/all`` order.
    let settings: [EffectiveSetting]
    /// Every invalid setting; empty when ``configuration`` is set.
    let problems: [PlatformConfigurationError.Problem]
    let configuration: PlatformConfiguration?

    /// This check with what `serve` also requires: an encryption key against an external database (the
    /// local cluster generates its own). Other commands run without one (creating users and tokens,
    /// migrating), so only `config check`, which vouches for a configuration to serve with, adds it.
    func forServing() -> ConfigurationCheck {
        guard let configuration, configuration.database != nil, configuration.keyring == nil else { return self }
        let missing = PlatformConfigurationError.Problem(
            setting: Setting.encryptionKey.variable,
            message:
                "ENCRYPTION_KEY or ENCRYPTION_KEYS must be set with DATABASE_URL: serve, and every command that opens "
                + "API keys, refuse to start without one (agentctl keys generate makes one)")
        return ConfigurationCheck(
            file: file, fileRead: fileRead, settings: settings, problems: problems + [missing], configuration: nil)
    }

    /// The configuration, or an error listing every problem.
    func get() throws(PlatformConfigurationError) -> PlatformConfiguration {
        guard let configuration, problems.isEmpty else { throw PlatformConfigurationError(problems: problems) }
        return configuration
    }
}
