import Configuration

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
