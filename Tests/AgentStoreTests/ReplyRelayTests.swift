import Testing

@testable import AgentStore

/// What instances tell each other about followed replies reads back as written, and a text of any size
/// goes as notices that each fit PostgreSQL's payload, split between Unicode scalars.
@Suite struct ReplyRelayTests {
    let tenant = UserID(rawValue: "tenant-1")!
    let reply = MessageID(rawValue: "0190f0e2-6c1d-7000-8000-000000000001")!

    @Test func noticesReadBackAsWritten() throws {
        let notices: [ReplyRelay] = [
            .follow(TenantReply(tenant: tenant, messageID: reply)),
            .text(reply, offset: 12, "two\nlines and a space "),
            .text(reply, offset: 0, ""),
            .ended(reply),
        ]
        for notice in notices {
            #expect(ReplyRelay(payload: notice.payload) == notice)
        }
    }

    /// A tenant's id may end in a prepending mark (U+0600), which makes one `Character` with the space
    /// after it: the space is found among scalars all the same.
    @Test func aTenantEndingInAPrependingMarkReadsBack() throws {
        let tenant = try #require(UserID(rawValue: "tenant\u{600}"))
        let named = TenantReply(tenant: tenant, messageID: reply)
        #expect(TenantReply(payload: named.payload) == named)
        #expect(ReplyRelay(payload: ReplyRelay.follow(named).payload) == .follow(named))
    }

    @Test(arguments: ["", "text", "text 1", "text -1 id\nx", "text x id\nx", "follow tenant-only", "end ", "stop id"])
    func malformedNoticesAreRefused(payload: String) {
        #expect(ReplyRelay(payload: payload) == nil)
    }

    @Test func longTextGoesInPiecesThatFitAndJoinUp() throws {
        // Two-, three- and four-byte scalars, so that a byte limit falls inside one now and then.
        let text = String(repeating: "aé€😀", count: 3_000)[...]
        let pieces = ReplyRelay.pieces(of: text, from: 40, of: reply)
        #expect(pieces.count == 5)
        var joined = ""
        var offset = 40
        for piece in pieces {
            guard case .text(let id, let at, let part) = piece else {
                Issue.record("not a text: \(piece)")
                continue
            }
            #expect(id == reply && at == offset)
            #expect(part.utf8.count <= ReplyRelay.maximumTextBytes && piece.payload.utf8.count < 8_000)
            joined += part
            offset += part.utf8.count
        }
        #expect(joined == String(text))
    }

    @Test func anEmptyTextIsOneEmptyNotice() {
        #expect(ReplyRelay.pieces(of: ""[...], from: 0, of: reply) == [.text(reply, offset: 0, "")])
    }
}
