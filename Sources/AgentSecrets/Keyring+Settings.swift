// MARK: Settings

extension Keyring {
    /// Builds the keyring from the text of the three encryption settings, as the platform's
    /// configuration read them (from the environment or a configuration file):
    ///
    /// - `ENCRYPTION_KEY`: one key (64 hex characters) with id ``seedKeyID``;
    ///   the seed's variable, so it also opens seed-format values.
    /// - `ENCRYPTION_KEYS`: `id:hex` entries separated by commas, e.g. `k2026:…,k2025:…`.
    /// - `ENCRYPTION_ACTIVE_KEY_ID`: the id to seal with; defaults to the first
    ///   `ENCRYPTION_KEYS` entry, else ``seedKeyID``.
    ///
    /// Both key settings may be set together; ids must stay unique. Empty or blank
    /// values count as unset. Every key is validated here, at start-up; errors name the
    /// setting, never a key.
    ///
    /// - Returns: nil when no key is configured.
    public static func fromSettings(
        encryptionKey: String?, encryptionKeys: String?, activeKeyID: String?
    ) throws(KeyringError) -> Keyring? {
        var entries: [KeyEntry] = []
        if let list = nonBlank(encryptionKeys) {
            entries += try parseKeyList(list, source: "ENCRYPTION_KEYS")
        }
        if let single = nonBlank(encryptionKey) {
            // Appended last so ENCRYPTION_KEYS decides the default active key.
            entries.append(KeyEntry(source: "ENCRYPTION_KEY", id: seedKeyID, hex: single))
        }
        let activeKeyID = nonBlank(activeKeyID)
        if let activeKeyID, !isValidKeyID(activeKeyID) {
            throw .invalidKeyID(source: "ENCRYPTION_ACTIVE_KEY_ID", position: nil)
        }
        guard !entries.isEmpty else {
            if let activeKeyID { throw .unknownActiveKeyID(activeKeyID) }
            return nil
        }
        return try Keyring(entries: entries, activeKeyID: activeKeyID)
    }

    static func parseKeyList(_ list: String, source: String) throws(KeyringError) -> [KeyEntry] {
        let items = list.split(separator: ",", omittingEmptySubsequences: false)
            .map { trimmed(Substring($0)) }
        guard items.contains(where: { !$0.isEmpty }) else { throw .emptyKeyList(source: source) }
        var entries: [KeyEntry] = []
        for (index, item) in items.enumerated() {
            guard let colon = item.firstIndex(of: ":") else {
                throw .malformedEntry(source: source, position: index + 1)
            }
            let id = trimmed(item[..<colon])
            guard isValidKeyID(id) else { throw .invalidKeyID(source: source, position: index + 1) }
            entries.append(KeyEntry(source: source, id: id, hex: trimmed(item[item.index(after: colon)...])))
        }
        return entries
    }

    private static func nonBlank(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let value = trimmed(Substring(raw))
        return value.isEmpty ? nil : value
    }

    /// Strips surrounding whitespace, which `.env` files and secret mounts often add.
    static func trimmed(_ text: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = text.firstIndex(where: { !isSpace($0) }),
            let end = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[start...end])
    }
}
