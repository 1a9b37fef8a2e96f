import Crypto
import Foundation

/// What a tenant searches for: words in the syntax of a web search engine, over its own messages and
/// conversation titles, optionally of one agent only.
///
/// The text is read by PostgreSQL's `websearch_to_tsquery`: words, `"quoted phrases"`, `or` between
/// alternatives and `-` before a word to exclude. It never fails to parse: what it cannot read as
/// syntax it reads as words or ignores, and a text of stop words or punctuation alone matches nothing.
public struct SearchQuery: Sendable, Equatable {
    /// The longest search text, in characters: longer than any phrase a person types into a search box,
    /// short enough that a cursor's fingerprint and the query's parse stay cheap.
    public static let maximumLength = 200

    public var text: String
    /// Only messages and conversations of this agent, when set.
    public var agentID: AgentID?

    public init(text: String, agentID: AgentID? = nil) {
        self.text = text
        self.agentID = agentID
    }

    func validate() throws(StoreError) {
        guard !text.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
            throw .invalid(field: .searchText, reason: "must not be empty")
        }
        try Field.text(text, .searchText, length: 1...Self.maximumLength)
    }

    /// The text as `websearch_to_tsquery` is given it: each run of `-` between two words (spaces and other
    /// punctuation among them) as one `-`. PostgreSQL stacks each `-` of a run as a negation still waiting
    /// for its word, and fails the statement past 32 of them ("tsquery stack too small"); two or more before
    /// one word mean nothing a person would type.
    var websearchText: String {
        var result = String.UnicodeScalarView()
        var dashSinceWord = false
        for scalar in text.unicodeScalars {
            if scalar == "-" {
                if dashSinceWord { continue }
                dashSinceWord = true
            } else if scalar == "\"" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                dashSinceWord = false
            }
            result.append(scalar)
        }
        return String(result)
    }

    /// The last word's letters and digits when the text's last word also matches as the beginning of a
    /// longer one ("harb" finds "harbour"), as a search box is read while its reader types; nil otherwise. A
    /// plain word at the end of the text, of three characters or more (a shorter one would match too much
    /// to help), not excluded with `-`, not inside quotes (a phrase asks for itself), not the `or` between
    /// alternatives, and not one finished with a full stop or other mark ("walk.").
    var typedLastWord: String? {
        guard text.unicodeScalars.filter({ $0 == "\"" }).count.isMultiple(of: 2),
            let lastWord = text.split(whereSeparator: \.isWhitespace).last,
            !lastWord.hasPrefix("-"), lastWord.lowercased() != "or"
        else { return nil }
        let end = String(lastWord.reversed().prefix { $0.isLetter || $0.isNumber }.reversed())
        return end.count >= 3 ? end : nil
    }

    /// The typed last word without its last one to three characters, each of three characters or more:
    /// English stemming reads "streaming" as `stream`, which "streami" is not the beginning of, so a word
    /// typed into its suffix matches through the stem of a shorter form ("streami" as `stream`).
    var typedLastWordShortenings: [String] {
        guard let word = typedLastWord else { return [] }
        return (1...3).map { String(word.dropLast($0)) }.filter { $0.count >= 3 }
    }

    /// Names this search in its cursors, so a cursor of another search is recognised: 16 hex digits of
    /// SHA-256 over the text and the agent filter.
    var fingerprint: String {
        var input = Data("search-v1\n".utf8)
        input.append(contentsOf: (agentID?.rawValue ?? "").utf8)
        input.append(0)
        input.append(contentsOf: text.utf8)
        return SHA256.hash(data: input).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
