extension Keyring {
    /// What seals and opens values on this platform, for benchmark reports (`agentctl bench crypto`).
    package static var sealingBackend: String { AESGCMKey.backend }
}
