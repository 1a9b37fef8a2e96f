extension String {
    /// The text with its control and format characters written out (`\u{1B}`), and backslashes doubled,
    /// for a line of the operator's terminal: text a tenant chose (a token's name) could otherwise forge a
    /// row with a newline or a tab, send the terminal an escape sequence, or reverse what follows it.
    var terminalSafe: String {
        var safe = ""
        for scalar in unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || scalar == "\\" {
                safe += scalar == "\\" ? "\\\\" : "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                safe.unicodeScalars.append(scalar)
            }
        }
        return safe
    }

    /// Each line made ``terminalSafe``, the lines kept: for a message that quotes a log (a server's log may
    /// hold text a tenant chose, in a refused value's detail).
    var terminalSafeLines: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).terminalSafe }.joined(separator: "\n")
    }
}
