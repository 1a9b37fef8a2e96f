extension KeyedDecodingContainer {
    /// A token count as a provider reported it. A number past `Int`'s range is read as its bound (then
    /// capped by ``TokenUsage``), and one that is not a whole number, or no number at all, as unreported
    /// (then estimated): a provider's odd count must not fail the chunk, and with it a finished reply.
    func decodeTokenCount(forKey key: Key) -> Int? {
        if let count = try? decodeIfPresent(Int.self, forKey: key) { return count }
        guard let number = try? decodeIfPresent(Double.self, forKey: key), number.isFinite, number.rounded() == number
        else { return nil }
        return number >= 0x1p63 ? .max : number < -0x1p63 ? .min : Int(number)
    }
}
