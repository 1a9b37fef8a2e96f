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
