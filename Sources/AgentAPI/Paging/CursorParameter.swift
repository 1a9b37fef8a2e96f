import Hummingbird

/// The `cursor` query parameter of a listing that pages by an opaque token (``CursorPageBody``).
enum CursorParameter {
    /// The cursor a request's query names, nil when it names none. One not spelled as a token (unpadded base64url,
    /// 1 to `maximumLength` bytes: what the document's schema states) is a 400, as a malformed `after` is;
    /// one spelled as a token that `decode` does not take is a 422, as an `after` that names no item is.
    /// `spelled` and `taken` end the two refusals' reasons ("must be a next_cursor of ...").
    static func read<Cursor>(
        _ query: FormFields, maximumLength: Int, spelled: String, taken: String, _ decode: (String) -> Cursor?
    ) throws -> Cursor? {
        try query["cursor"].map { raw in
            guard (1...maximumLength).contains(raw.utf8.count), raw.utf8.allSatisfy(isBase64URL) else {
                throw Problem.badParameter("cursor", "must be a next_cursor of \(spelled)")
            }
            guard let cursor = decode(raw) else {
                throw Problem.invalid(field: "cursor", reason: "is not a next_cursor of \(taken)")
            }
            return cursor
        }
    }

    /// The alphabet of unpadded base64url, which every cursor token is spelled in.
    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
