import Foundation

extension APIRequestDecoder {
    /// How many more passes than fields a body may take to be described whole: a field that is missing
    /// takes up to three (reported, stood in for by an object, then by a value of the type it asks for).
    static let passesPerField = 3
    /// The largest body searched for every fault: each pass decodes and writes the whole body again, so a
    /// megabyte with many faults (sent before its credential is checked, on routes that check it with their
    /// first statement) cost seconds of the server's two cores. A larger body is told its first fault.
    static let largestBodySearchedWhole = 64 << 10
    /// The most fields one problem names: a body of unknown members named them all, a response of megabytes.
    static let mostFieldsNamed = 20

    /// Decodes `data` as `type`, or throws one 400 that names every field the body gets wrong: the fields
    /// it does not name, and each field of the wrong type, `null` or missing, not only the first.
    ///
    /// `JSONDecoder` stops at the first failure; to find the next, the failed value is replaced in a copy
    /// of the body by a stand-in of the type asked for and the body is decoded again. A value no stand-in
    /// can replace (an unknown role, a number out of range) ends the search with what was found.
    static func decodeNamingEveryField<Body: Decodable>(
        _ type: Body.Type, from data: Data, fields: Set<String>, decoder: JSONDecoder
    ) throws -> Body {
        var errors: [Problem.FieldError] = []
        if let present = try? decoder.decode(ObjectKeys.self, from: data) {
            errors = present.names.filter { !fields.contains($0) }.prefix(mostFieldsNamed).map {
                Problem.FieldError(field: Problem.shownFieldName($0), reason: Problem.unknownFieldReason)
            }
        }
        var attempt = data
        var copy: Any?
        var reported: [String] = []
        let passes = data.count <= largestBodySearchedWhole ? fields.count * passesPerField : 0
        for pass in 0...passes {
            let failure: DecodingFailure
            do {
                let body = try decoder.decode(type, from: attempt)
                if errors.isEmpty { return body }
                break
            } catch let error as DecodingError {
                failure = DecodingFailure(error)
            } catch {
                // A problem of the body's own decoding (such as a `null` a patch refuses) stands alone
                // when it is the first; after others, those are what the client hears of first.
                if errors.isEmpty { throw error }
                break
            }
            if failure.path.isEmpty {
                if errors.isEmpty { throw numberAtFault(type, in: attempt, decoder: decoder) ?? Problem(decoding: failure) }
                break
            }
            // A failure inside a value already reported comes from its stand-in, not from the client.
            let field = failure.field
            if !reported.contains(where: { field == $0 || field.hasPrefix($0 + ".") }) {
                errors.append(Problem.FieldError(field: field, reason: failure.reason))
                reported.append(field)
            }
            guard pass < passes, errors.count < mostFieldsNamed else { break }
            if copy == nil { copy = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) }
            guard let standIn = failure.standIn, let object = copy,
                let replaced = replacing(failure.path[...], in: object, with: standIn),
                let next = try? JSONSerialization.data(withJSONObject: replaced)
            else { break }
            copy = replaced
            attempt = next
        }
        throw Problem.badRequest(fields: errors)
    }

    /// The problem with a number of a top-level member that its field cannot hold, if that is why `data`,
    /// which is valid JSON, did not decode: `JSONDecoder` then says only that the data is not valid JSON.
    /// A number with a fraction where an integer is asked for is a 400; one too large for any integer
    /// field, a 422 (the document bounds such fields only by settings, as `expires_in_days`). Found by
    /// standing in 0 for each such number in turn until the body decodes past it.
    private static func numberAtFault<Body: Decodable>(_ type: Body.Type, in data: Data, decoder: JSONDecoder) -> Problem? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        for name in object.keys.sorted() {
            guard let number = (object[name] as? NSNumber)?.doubleValue, number.isFinite else { continue }
            let fractional = number != number.rounded()
            let tooLarge = abs(number) >= 9.2e18
            guard fractional || tooLarge else { continue }
            var replaced = object
            replaced[name] = 0
            guard let next = try? JSONSerialization.data(withJSONObject: replaced) else { continue }
            do {
                _ = try decoder.decode(type, from: next)
            } catch let error as DecodingError where DecodingFailure(error).path.isEmpty {
                continue
            } catch {}
            let field = Problem.shownFieldName(name)
            return fractional
                ? Problem.badRequest(fields: [Problem.FieldError(field: field, reason: "must be an integer")])
                : Problem.invalid(field: field, reason: "is out of range")
        }
        return nil
    }

    /// `value` (a `JSONSerialization` object) with the value at `path` replaced by `standIn`; a missing
    /// member at the end of the path is added. Nil when the path leads nowhere.
    private static func replacing(_ path: ArraySlice<DecodingFailure.Step>, in value: Any, with standIn: Any) -> Any? {
        guard let step = path.first else { return standIn }
        let rest = path.dropFirst()
        switch step {
        case .member(let name):
            guard var object = value as? [String: Any] else { return nil }
            let child: Any
            if let present = object[name] {
                child = present
            } else if rest.isEmpty {
                child = NSNull()
            } else {
                return nil
            }
            guard let replaced = replacing(rest, in: child, with: standIn) else { return nil }
            object[name] = replaced
            return object
        case .index(let index):
            guard var array = value as? [Any], array.indices.contains(index),
                let replaced = replacing(rest, in: array[index], with: standIn)
            else { return nil }
            array[index] = replaced
            return array
        }
    }
}

/// The member names of a JSON object, in the order the decoder lists them.
struct ObjectKeys: Decodable {
    let names: [String]

    private struct Name: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        names = try decoder.container(keyedBy: Name.self).allKeys.map(\.stringValue)
    }
}
