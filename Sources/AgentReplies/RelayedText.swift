/// The text of a reply that another instance relays, as far as a follower here has it: pieces arrive with
/// their offsets, possibly again (a replay for another follower) or with a gap (a notice lost while a
/// listener reconnected).
struct RelayedText: Sendable {
    /// The text so far, from the reply's start.
    private(set) var text = ""
    /// Whether any piece arrived: the relay has started.
    private(set) var heard = false

    /// What a piece adds.
    enum Addition: Equatable {
        /// Text past what the follower had: hand it on.
        case new(String)
        /// Nothing the follower did not have.
        case known
        /// The piece starts past what the follower has: a notice was missed, so ask for the text again.
        case gap
    }

    /// Takes `piece`, which starts `offset` UTF-8 bytes into the reply's text.
    mutating func take(_ piece: String, at offset: Int) -> Addition {
        heard = true
        let have = text.utf8.count
        guard offset <= have else { return .gap }
        guard offset + piece.utf8.count > have else { return .known }
        // Offsets fall between Unicode scalars on both sides, so this one does too; if not, ask again.
        guard let start = piece.utf8.index(piece.startIndex, offsetBy: have - offset).samePosition(in: piece.unicodeScalars)
        else { return .gap }
        let addition = String(piece.unicodeScalars[start...])
        text += addition
        return .new(addition)
    }

    /// What `stored`, the reply's whole text as stored at its end, adds to the text so far; nil when the
    /// two disagree (the stored end then speaks for itself).
    func remainder(of stored: String) -> String? {
        guard stored.utf8.starts(with: text.utf8) else { return nil }
        let start = stored.utf8.index(stored.startIndex, offsetBy: text.utf8.count)
        return start.samePosition(in: stored.unicodeScalars).map { String(stored.unicodeScalars[$0...]) }
    }
}
