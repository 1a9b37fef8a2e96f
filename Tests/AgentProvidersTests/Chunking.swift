/// Ways to cut one recorded body into chunks, as a network might deliver it.
enum Chunking {
    /// The body whole, split in two at every byte boundary, and one byte at a time.
    static func everySplit(of bytes: [UInt8]) -> [[[UInt8]]] {
        var ways: [[[UInt8]]] = [[bytes]]
        for cut in 0...bytes.count {
            ways.append([Array(bytes[..<cut]), Array(bytes[cut...])])
        }
        ways.append(bytes.map { [$0] })
        return ways
    }

    static func everySplit(of text: String) -> [[[UInt8]]] {
        everySplit(of: Array(text.utf8))
    }
}
