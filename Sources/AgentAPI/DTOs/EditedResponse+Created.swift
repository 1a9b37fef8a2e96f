import Hummingbird

extension EditedResponse {
    /// A 201 whose `Location` is the created resource's path, as a REST client reads it; each id in it
    /// percent-encoded as a path segment (a conversation's id is the client's, spaces and all).
    static func created(_ body: Generator, at segments: String...) -> EditedResponse {
        let path = segments.map(PathSegment.encoded).joined(separator: "/")
        return EditedResponse(status: .created, headers: [.location: "/" + path], response: body)
    }
}
