/// A benchmark dataset whose shape cannot be loaded or walked, with the command-line flags to change.
public struct BenchmarkDatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
