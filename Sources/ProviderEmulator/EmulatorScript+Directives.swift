import Foundation

// MARK: Reading directives

extension EmulatorScript {
    /// A directive the emulator does not understand; its description names the directive, never more.
    public struct DirectiveError: Error, Hashable, Sendable, CustomStringConvertible {
        public let directive: String
        public var description: String { "invalid emulator directive \(directive)" }
    }

    /// This script with `directives` (`key=value` pairs, see ``EmulatorScript``) applied.
    public func applying(directives: String) throws(DirectiveError) -> EmulatorScript {
        var script = self
        for token in Self.tokens(of: directives) {
            try script.apply(token)
        }
        return script
    }

    /// The directive line (`[emulator ...]`) of a message, if it has one, and the message without it.
    static func directiveLine(in message: String) -> (directives: String?, rest: String) {
        var directives: String?
        var kept: [Substring] = []
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if directives == nil, trimmed.hasPrefix("[emulator"), trimmed.hasSuffix("]") {
                directives = String(trimmed.dropFirst("[emulator".count).dropLast())
            } else {
                kept.append(line)
            }
        }
        return (directives, kept.joined(separator: "\n"))
    }

    private mutating func apply(_ token: String) throws(DirectiveError) {
        let parts = token.split(separator: "=", maxSplits: 1).map(String.init)
        let key = parts[0]
        let value = parts.count > 1 ? parts[1] : ""
        let failure = DirectiveError(directive: key.count <= 32 ? key : String(key.prefix(32)))
        func number(_ range: ClosedRange<Int>) throws(DirectiveError) -> Int {
            guard let number = Int(value), range.contains(number) else { throw failure }
            return number
        }
        switch key {
        case "text": text = .fixed(value)
        case "echo":
            guard value.isEmpty || value == "on" else { throw failure }
            text = .echo
        case "repeat": repetitions = try number(1...1000)
        case "chunks": chunks = try number(1...10_000)
        case "delay_ms": delay = .milliseconds(try number(0...600_000))
        case "think_ms": thinking = .milliseconds(try number(0...600_000))
        case "usage":
            guard value == "on" || value == "off" else { throw failure }
            usage = value == "on"
        case "error_after": errorAfter = try number(0...10_000)
        case "status": status = try number(400...599)
        case "retry_after": retryAfterSeconds = try number(0...86_400)
        case "status_times": statusTimes = try number(1...10_000)
        case "context": contextWindow = try number(1...10_000_000)
        case "stall_after": stallAfter = try number(0...10_000)
        case "stall_ms": stallDuration = .milliseconds(try number(0...600_000))
        case "drop_after": dropAfter = try number(0...10_000)
        case "whole":
            guard value == "on" || value == "off" else { throw failure }
            whole = value == "on"
        default: throw failure
        }
    }

    /// Splits at commas and whitespace outside double quotes; quotes are removed.
    private static func tokens(of directives: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        for character in directives {
            if character == "\"" {
                quoted.toggle()
            } else if !quoted, character == "," || character.isWhitespace {
                if !current.isEmpty { tokens.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
