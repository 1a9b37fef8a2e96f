import Configuration
import Synchronization

/// swift-configuration's report of the last lookup of each setting: which provider answered, and
/// whether a provider held a value of the wrong type (which the reader's getters turn into nil).
final class SettingLookups: AccessReporter {
    private let events = Mutex<[[String]: AccessEvent]>([:])

    func report(_ event: AccessEvent) {
        events.withLock { $0[event.metadata.key.components] = event }
    }

    /// The last lookup of `setting`, if it was read.
    func last(_ setting: Setting) -> AccessEvent? {
        events.withLock { $0[setting.components] }
    }
}

extension AccessEvent {
    /// Whether a provider held the key but its value could not be converted to the requested type.
    var isUnusable: Bool {
        if conversionError != nil { return true }
        return providerResults.contains { if case .failure = $0.result { true } else { false } }
    }

    /// The provider that held the key, with a usable value or not; nil when none did.
    var respondingProvider: String? {
        providerResults.first { result in
            switch result.result {
            case .failure: true
            case .success(let lookup): lookup.value != nil
            }
        }?.providerName
    }
}
