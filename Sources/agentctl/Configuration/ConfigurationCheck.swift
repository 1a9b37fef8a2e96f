/// The outcome of reading the configuration: what `agentctl config check` prints, and the
/// configuration itself when every setting is valid.
struct ConfigurationCheck: Sendable {
    /// The configuration file that was read, if any.
    let file: String?
    /// Every setting with its shown value and source, in ``Setting/all`` order.
    let settings: [EffectiveSetting]
    /// Every invalid setting; empty when ``configuration`` is set.
    let problems: [PlatformConfigurationError.Problem]
    let configuration: PlatformConfiguration?

    /// The configuration, or an error listing every problem.
    func get() throws(PlatformConfigurationError) -> PlatformConfiguration {
        guard let configuration, problems.isEmpty else { throw PlatformConfigurationError(problems: problems) }
        return configuration
    }
}
