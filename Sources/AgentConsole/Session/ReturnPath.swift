/// Where the sign-in page sends its visitor once signed in: the page they asked for when their session had
/// ended, carried as `next`. Only a path of this site is taken (`/agents/...`), never `//host` or a URL,
/// so that a link to the sign-in page cannot send a freshly signed-in visitor elsewhere.
struct ReturnPath: Sendable, Equatable {
    let path: String

    /// The longest path taken: longer ones go to the agents page instead.
    static let maximumLength = 2048

    /// `value` as a return path; nil for anything but a path of this site.
    init?(_ value: String?) {
        guard let value, value.utf8.count <= Self.maximumLength, value.hasPrefix("/"),
            !value.hasPrefix("//"), !value.hasPrefix("/\\"), !value.hasPrefix("/signin"),
            value.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
        else { return nil }
        path = value
    }

    /// The sign-in page's address that leads back to this path.
    var signInPath: String { "/signin?next=\(ConsoleFormat.segment(path))" }
}
