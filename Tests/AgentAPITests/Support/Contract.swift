import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import Testing

@testable import AgentAPI

/// The types generated from `openapi.yaml` (see `openapi-generator-config.yaml`).
typealias Schemas = Components.Schemas

/// Holds every response the tests receive to the document the server serves: the operation must list
/// the status, with the media type it gives, and the body must decode into the type generated from
/// the schema it names. Undocumented fields fail too, since every object schema forbids extra members.
enum Contract {
    /// The generated type for a schema a response may name.
    static func type(named schema: String) -> (any Decodable.Type)? {
        switch schema {
        case "Problem": Schemas.Problem.self
        case "Status": Schemas.Status.self
        case "User": Schemas.User.self
        case "Agent": Schemas.Agent.self
        case "AgentPage": Schemas.AgentPage.self
        case "Connection": Schemas.Connection.self
        case "ConnectionPage": Schemas.ConnectionPage.self
        case "ConnectionOrder": Schemas.ConnectionOrder.self
        case "ConnectionModelList": Schemas.ConnectionModelList.self
        case "ConversationPage": Schemas.ConversationPage.self
        case "Message": Schemas.Message.self
        case "MessagePage": Schemas.MessagePage.self
        case "Thread": Schemas.Thread.self
        case "Feedback": Schemas.Feedback.self
        case "FeedbackPage": Schemas.FeedbackPage.self
        case "IssuedToken": Schemas.IssuedToken.self
        case "TokenPage": Schemas.TokenPage.self
        case "AuditEntryPage": Schemas.AuditEntryPage.self
        case "ProviderCallPage": Schemas.ProviderCallPage.self
        case "Export": Schemas.Export.self
        case "Conversation": Schemas.Conversation.self
        case "Exchange": Schemas.Exchange.self
        case "ChatCompletion": Schemas.ChatCompletion.self
        case "OpenAIError": Schemas.OpenAIError.self
        case "ModelList": Schemas.ModelList.self
        case "Model": Schemas.Model.self
        case "UsageReport": Schemas.UsageReport.self
        case "Limits": Schemas.Limits.self
        case "SearchResults": Schemas.SearchResults.self
        case "RecentConversationPage": Schemas.RecentConversationPage.self
        case "ReplyDelta": Schemas.ReplyDelta.self
        case "ReplyFailed": Schemas.ReplyFailed.self
        case "ChatCompletionChunk": Schemas.ChatCompletionChunk.self
        default: nil
        }
    }

    /// The served document, read as far as checking responses needs; `nil` if it does not parse, which
    /// `OpenAPITests` reports on its own.
    static let document: Document? = try? JSONDecoder().decode(
        Document.self, from: Data(OpenAPIDocument.embedded.get().json.readableBytesView))

    /// A JSON decoder as the runtime's `Configuration(dateTranscoder: .iso8601WithFractionalSeconds)`
    /// decodes: times must carry their fractional seconds, as the server writes them (the runtime's
    /// default `.iso8601` would refuse them).
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        let transcoder = ISO8601DateTranscoder.iso8601WithFractionalSeconds
        decoder.dateDecodingStrategy = .custom { decoder in
            try transcoder.decode(try decoder.singleValueContainer().decode(String.self))
        }
        return decoder
    }

    // MARK: Checking a stream

    /// The schema of an event's data, by the operation and the event's name; nil for data that is no JSON
    /// (OpenAI's `[DONE]`).
    static func eventSchema(of operationID: String, event: String?, data: String) -> String? {
        if operationID == "createChatCompletion" {
            guard data != "[DONE]" else { return nil }
            return data.hasPrefix(#"{"error""#) ? "OpenAIError" : "ChatCompletionChunk"
        }
        switch event {
        case "message", "reply.started", "reply.completed": return "Message"
        case "reply.delta": return "ReplyDelta"
        case "reply.failed": return "ReplyFailed"
        default: return "(undocumented event \(event ?? "without a name"))"
        }
    }

    /// Records an issue for every event of a stream whose data does not decode into the type generated
    /// from the schema the document gives it.
    static func checkEvents(_ body: ByteBuffer, of operationID: String, name: String, sourceLocation: SourceLocation) {
        for event in StreamedEvent.parse(String(buffer: body)) {
            let text = event.data
            guard let schema = eventSchema(of: operationID, event: event.name, data: text) else { continue }
            guard let type = type(named: schema) else {
                Issue.record("\(name): \(schema)", sourceLocation: sourceLocation)
                continue
            }
            do {
                _ = try decoder().decode(type, from: Data(text.utf8))
            } catch {
                Issue.record(
                    "\(name): an event \(event.name ?? "") does not match \(schema): \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: Checking a response

    /// Records an issue for every way `response` to `method uri` departs from the document. Requests to
    /// routes or methods the document lacks (probes of unknown routes) are not checked.
    static func check(_ response: TestResponse, to method: HTTPRequest.Method, _ uri: String, sourceLocation: SourceLocation) {
        guard let document else {
            Issue.record("the served document does not parse", sourceLocation: sourceLocation)
            return
        }
        guard let (template, operation) = document.operation(method, uri) else { return }
        let name = "\(method) \(template) (\(operation.operationId))"
        guard let documented = operation.responses[String(response.status.code)].flatMap(document.resolve) else {
            Issue.record(
                "\(name) answered \(response.status.code), which the document does not list", sourceLocation: sourceLocation)
            return
        }
        guard let content = documented.content else {
            #expect(
                response.body.readableBytes == 0, "\(name) \(response.status.code) has a body the document does not describe",
                sourceLocation: sourceLocation)
            return
        }
        let mediaType = response.headers[.contentType]?.split(separator: ";").first.map(String.init) ?? "(none)"
        guard let media = content[mediaType] else {
            Issue.record(
                "\(name) \(response.status.code) is \(mediaType), documented as \(content.keys.sorted())",
                sourceLocation: sourceLocation)
            return
        }
        if mediaType == "text/event-stream" {
            checkEvents(response.body, of: operation.operationId, name: name, sourceLocation: sourceLocation)
            return
        }
        guard let documentedSchema = media.schema, let reference = documentedSchema.ref else { return }
        let schema = String(reference.split(separator: "/").last ?? "")
        guard let type = type(named: schema) else {
            Issue.record("no generated type registered for \(schema)", sourceLocation: sourceLocation)
            return
        }
        let body = Data(response.body.readableBytesView)
        do {
            _ = try decoder().decode(type, from: body)
            let missing = document.missingMembers(in: try JSONSerialization.jsonObject(with: body), schema: documentedSchema)
            #expect(
                missing == [], "\(name) \(response.status.code) lacks required members of \(schema)",
                sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(name) \(response.status.code) does not match \(schema): \(error)", sourceLocation: sourceLocation)
        }
    }
}
