import Foundation
import Hummingbird

extension EditedResponse {
    /// A 201 whose `Location` is the created resource's path, as a REST client reads it; each id in it
    /// percent-encoded as a path segment (a conversation's id is the client's, spaces and all).
    static func created(_ body: Generator, at segments: String...) -> EditedResponse {
        let path = segments.map { $0.addingPercentEncoding(withAllowedCharacters: Self.segmentCharacters) ?? $0 }
        return EditedResponse(status: .created, headers: [.location: "/" + path.joined(separator: "/")], response: body)
    }

    /// RFC 3986's unreserved characters: everything else in an id is encoded.
    private static var segmentCharacters: CharacterSet {
        CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    }
}
