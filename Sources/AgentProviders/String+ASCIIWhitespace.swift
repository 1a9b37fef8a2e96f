extension String {
    /// This text without leading and trailing spaces, tabs and line breaks; no Foundation needed.
    var trimmingASCIIWhitespace: Substring {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isWhitespace($0) }),
            let last = lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return self[start...last]
    }
}
