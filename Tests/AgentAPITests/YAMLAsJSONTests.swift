import Hummingbird
import Testing

@testable import AgentAPI

/// The start-up conversion of the contract from YAML to the JSON served at `/openapi.json`.
@Suite struct YAMLAsJSONTests {
    func json(_ yaml: String) throws -> String {
        String(buffer: try JSONStreamEncoder.encode(try YAMLAsJSON(document: yaml)))
    }

    @Test func scalarsKeepTheTypeTheirTagGives() throws {
        let yaml = """
            z: '200'
            a: 200
            b: true
            c: null
            d: 'null'
            e: [1.5, x, "true"]
            f: {g: 3.1.0}
            """
        #expect(try json(yaml) == #"{"z":"200","a":200,"b":true,"c":null,"d":"null","e":[1.5,"x","true"],"f":{"g":"3.1.0"}}"#)
    }

    /// JSON has no aliases: the parser puts a copy of the anchored value in their place.
    @Test func aliasesAreExpanded() throws {
        #expect(try json("a: &x {b: 1}\nc: *x\n") == #"{"a":{"b":1},"c":{"b":1}}"#)
    }

    @Test func emptyDocumentsAndNonStringKeysAreRefused() {
        #expect(throws: YAMLAsJSON.Unsupported.self) { try json("") }
        #expect(throws: YAMLAsJSON.Unsupported.self) { try json("[a]: 1\n") }
    }
}
