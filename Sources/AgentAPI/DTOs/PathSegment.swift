import Foundation

/// An id written into a path (a link, a `Location`): everything but RFC 3986's unreserved characters
/// percent-encoded, since a conversation's id is the client's and may hold anything.
public enum PathSegment {
    public static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// ASCII only: `CharacterSet.alphanumerics` holds every script's letters and digits, which would go into
    /// links and `Location` headers unencoded.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
