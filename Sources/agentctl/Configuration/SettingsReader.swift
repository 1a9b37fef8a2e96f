import Configuration

/// Reads settings through a `ConfigReader` (environment first, then the file), keeping for each one
/// where it came from, what `config check` shows for it, and what is wrong with it.
struct SettingsReader {
    private let reader: ConfigReader
    private let lookups: SettingLookups
    private let environmentProvider: String
    /// The configuration file, named in the errors of the settings it set.
    let file: String?
    /// The kind of JSON value each of the file's keys holds.
    private let fileKinds: [String: ConfigurationFile.ValueKind]

    private(set) var problems: [PlatformConfigurationError.Problem] = []
    private(set) var shown: [EffectiveSetting] = []
    private var invalid: Set<Setting> = []

    init(environment: EnvironmentVariablesProvider, file: (path: String, opened: ConfigurationFile.Opened)?) {
        let lookups = SettingLookups()
        var providers: [any ConfigProvider] = [environment]
        if let file { providers.append(file.opened.provider) }
        self.reader = ConfigReader(providers: providers, accessReporter: lookups)
        self.lookups = lookups
        self.environmentProvider = environment.providerName
        self.file = file?.path
        self.fileKinds = file?.opened.kinds ?? [:]
    }

    // MARK: Reading

    /// The setting's text; nil when unset, blank or not a string.
    mutating func string(_ setting: Setting) -> String? {
        let value = reader.string(forKey: setting.configKey, isSecret: setting.isSecret)
        _ = checkType(setting, "must be a string")
        guard let value, !value.allSatisfy(\.isWhitespace) else { return nil }
        return value
    }

    /// The setting as an integer; nil when unset or not an integer.
    mutating func int(_ setting: Setting) -> Int? {
        let value = reader.int(forKey: setting.configKey, isSecret: setting.isSecret)
        return checkType(setting, "must be an integer", refusing: .boolean) ? value : nil
    }

    /// The setting as an integer within `range`, `fallback` when unset, shown by `config check`; a value
    /// outside the range fails the setting ("must be an integer from A to B") and `fallback` is returned
    /// in its place, so that nothing computed from it before the configuration is refused can overflow.
    mutating func int(_ setting: Setting, in range: ClosedRange<Int>, default fallback: Int) -> Int {
        let value = int(setting)
        if let value, !range.contains(value) {
            fail(setting, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        show(setting, "\(value ?? fallback)", isSet: value != nil)
        return value.flatMap { range.contains($0) ? $0 : nil } ?? fallback
    }

    /// The setting as a Boolean (`true`/`false`, `yes`/`no`, `1`/`0`); nil when unset or neither.
    mutating func bool(_ setting: Setting) -> Bool? {
        let value = reader.bool(forKey: setting.configKey, isSecret: setting.isSecret)
        return checkType(setting, "must be true or false", refusing: .number) ? value : nil
    }

    /// Whether the value read can be used; fails the setting when not. A value from the file must also not
    /// be of the kind `refused` (which swift-configuration casts), and a blank string there is unset, as an
    /// empty variable is.
    private mutating func checkType(
        _ setting: Setting, _ reason: String, refusing refused: ConfigurationFile.ValueKind? = nil
    ) -> Bool {
        let fromFile = source(of: setting) == .file
        let kind = fileKinds[setting.fileKey]
        if fromFile, kind == .blankString { return false }
        if lookups.last(setting)?.isUnusable == true || fromFile && refused != nil && kind == refused {
            fail(setting, reason)
            return false
        }
        return true
    }

    // MARK: Recording

    /// Where the setting's value came from.
    func source(of setting: Setting) -> SettingSource {
        guard let provider = lookups.last(setting)?.respondingProvider else { return .default }
        return provider == environmentProvider ? .environment : .file
    }

    /// Records that `setting` is invalid: `reason` follows its name, e.g. "must be an integer".
    mutating func fail(_ setting: Setting, _ reason: String) {
        fail(setting, message: "\(setting.variable) \(reason)")
    }

    /// Records that `setting` is invalid with a complete message (which must name the setting).
    mutating func fail(_ setting: Setting, message: String) {
        guard !invalid.contains(setting) else { return }
        invalid.insert(setting)
        var message = message
        if let file, source(of: setting) == .file {
            message += " (\(setting.fileKey) in \(file))"
        }
        problems.append(.init(setting: setting.variable, message: message))
    }

    /// Records a problem that belongs to no single setting, e.g. the configuration file itself.
    mutating func fail(variable: String, message: String) {
        problems.append(.init(setting: variable, message: message))
    }

    /// Records the value `config check` shows: redacted when secret, `<invalid>` when it failed.
    mutating func show(_ setting: Setting, _ value: String, isSet: Bool) {
        let shownValue: String
        if setting.isSecret && isSet {
            shownValue = EffectiveSetting.redacted
        } else if invalid.contains(setting) {
            shownValue = EffectiveSetting.invalid
        } else {
            shownValue = value
        }
        shown.append(EffectiveSetting(setting: setting, shownValue: shownValue, source: source(of: setting)))
    }

    /// Records a value that is safe to show even for a secret setting (e.g. a URL with its password masked).
    mutating func showMasked(_ setting: Setting, _ value: String) {
        let shownValue = invalid.contains(setting) ? EffectiveSetting.redacted : value
        shown.append(EffectiveSetting(setting: setting, shownValue: shownValue, source: source(of: setting)))
    }
}
