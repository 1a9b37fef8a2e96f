/// One line of `agentctl config check`: a setting, its value as shown (secrets redacted), and its source.
struct EffectiveSetting: Sendable, Hashable {
    let setting: Setting
    let shownValue: String
    let source: SettingSource

    /// What `config check` shows for a secret that is set.
    static let redacted = "<redacted>"
    /// What it shows for a value that could not be used (the error says why).
    static let invalid = "<invalid>"
}
