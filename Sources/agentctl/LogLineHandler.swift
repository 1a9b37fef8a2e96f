import Foundation
import Logging

/// Writes one line per log event to standard error: `time level label: message key=value ...`, with the
/// metadata sorted by key and values quoted when they hold spaces, quotes or `=`.
///
/// Metadata is formatted only when a line is written. `StreamLogHandler` formats all of it again each
/// time a key is set, and the server sets keys on every request (`request_id`, `user_id`) and PostgresNIO
/// on every query (`psql_connection_id`), whatever the log level.
struct LogLineHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        if let error = event.error { fields["error"] = .string("\(error)") }
        // A request's lines carry its id twice, as the platform's key and as Hummingbird's (the same value).
        if fields["request_id"] != nil { fields["hb.request.id"] = nil }
        var line = "\(Date.now.formatted(.iso8601)) \(event.level) \(label): \(event.message)"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(Self.quoted("\(value)"))"
        }
        line += "\n"
        StandardStream.error(line)
    }

    /// `value` as is when it is one plain word, else in double quotes with `"`, `\` and control
    /// characters escaped, so a value can never start a field or a line of its own.
    static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\"
            }
        if plain { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                quoted += "\\u{\(String(scalar.value, radix: 16))}"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
