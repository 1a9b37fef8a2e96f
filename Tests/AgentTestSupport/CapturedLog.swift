import Logging
import Synchronization

/// Keeps every log line of a test with its metadata, so tests can assert what never reaches a log.
public final class CapturedLog: Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    /// Every line so far, as `level message key=value ...`.
    public var lines: [String] { storage.withLock { $0 } }

    /// A logger writing here, at `level`.
    public func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "captured") { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = all.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            let error = event.error.map { " error=\($0)" } ?? ""
            log.storage.withLock { $0.append("\(event.level) \(event.message) \(fields)\(error)") }
        }
    }
}
