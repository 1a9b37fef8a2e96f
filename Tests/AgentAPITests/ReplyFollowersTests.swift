import AgentAPI
import AgentReplies
import AgentStore
import AgentTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import ProviderEmulator
import Testing

/// How many clients may follow one running reply (bounded; a place frees when a follower goes away), and
/// what one that reads slowly holds: its place in the text, not the pieces it has not read.
@Suite(.oneDatabase) struct ReplyFollowersTests {
    /// Follows `path` on a task of its own, reading until cancelled; returns the status once the head arrives.
    static func follow(_ path: String, _ live: LiveRequest) -> (status: Task<Int, any Error>, reader: Task<Void, any Error>) {
        let (statuses, answered) = AsyncStream.makeStream(of: Int.self)
        let reader = Task {
            defer { answered.finish() }
            let response = try await TestReplies.httpClient.execute(try live.request(.GET, path), timeout: .seconds(30))
            answered.yield(Int(response.status.code))
            for try await _ in response.body {}
        }
        let status = Task {
            for await status in statuses { return status }
            try await reader.value
            return 0
        }
        return (status, reader)
    }

    @Test func aRunningReplyHasAtMost32FollowersAndAPlaceFreesWhenOneLeaves() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                // The first follower: the request that starts the reply, 150 pieces 200 ms apart (30 s: it runs
                // past the 31 followers' arrival on a loaded machine; cancelled at the end).
                let text = (1...150).map { "w\($0)" }.joined(separator: " ")
                let start = try live.request(
                    .POST, chat.replies("c1"), json: ["content": "[emulator chunks=150 delay_ms=200]\n\(text)"])
                let starter = Task {
                    let response = try await TestReplies.httpClient.execute(start, timeout: .seconds(30))
                    for try await _ in response.body {}
                }
                defer { starter.cancel() }
                let replyID = try await chat.runningReply(client, owner)
                let path = "/v1/messages/\(replyID)/stream"

                var followers: [(status: Task<Int, any Error>, reader: Task<Void, any Error>)] = []
                defer { for follower in followers { follower.reader.cancel() } }
                for _ in 1..<RunningReply.maximumFollowers {
                    followers.append(Self.follow(path, live))
                }
                for follower in followers { #expect(try await follower.status.value == 200) }
                let refused = try await client.send(.get, "/v1/messages/\(replyID)/stream", as: owner)
                #expect(refused.status == .tooManyRequests)
                #expect(try refused.problem()._type == "https://agent-platform.dev/problems/too-many-followers")
                #expect(refused.headers[.retryAfter] == "1")

                // One leaves; its place is free once the server sees it gone.
                followers.removeFirst().reader.cancel()
                var again = 0
                for _ in 0..<100 where again != 200 {
                    let follower = Self.follow(path, live)
                    again = try await follower.status.value
                    if again == 200 { followers.append(follower) } else { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(again == 200)
                _ = try await client.send(.post, "/v1/messages/\(replyID)/cancel", as: owner)
            }
        }
    }

    /// A follower that reads nothing while the provider sends 400 pieces holds no queue of them: once it
    /// reads, all it missed is one delta. (Each piece was queued for each follower, so one tenant with a
    /// provider sending a character a piece and followers that never read could hold gigabytes.)
    @Test func aFollowerThatDoesNotReadHoldsItsPlaceNotThePieces() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let text = String(repeating: "p ", count: 400)
                // 400 pieces 20 ms apart (8 s): still running once the follower below is taken on a loaded machine.
                let streaming = chat.streamInBackground(live, "[emulator chunks=400 delay_ms=20]\n\(text)")
                let replyID = try #require(MessageID(rawValue: try await chat.runningReply(client, owner)))
                let reply = try #require(api.replies.running.reply(replyID, of: owner.id))
                let follower = try #require(await reply.follow())
                let streamed = try await streaming.value
                #expect(streamed.filter { $0.name == "reply.delta" }.count > 1, "the reading client got the pieces live")

                var events: [ReplyProgress] = []
                for await event in follower { events.append(event) }
                guard case .started = events.first, case .ended(let end) = events.last else {
                    Issue.record("events \(events.count): not started, then ended")
                    return
                }
                #expect(events.count == 3, "one delta, not one a piece")
                #expect(events.dropFirst().first == .delta(end.text) && end.status == .complete)
            }
        }
    }

    /// While the provider thinks, a streamed reply says it still runs with a comment line each keep-alive
    /// interval, so that a proxy does not cut a stream silent for a minute. (How many depends on how busy
    /// the machine is; none came before.)
    @Test func aStreamSaysItWaitsWhileTheProviderThinks() async throws {
        let api = try await TestAPI.make(replySettings: ReplySettings(keepAliveInterval: .milliseconds(300)))
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let thought = try await client.send(
                    .post, chat.replies("c1"), as: owner, json: ["content": "[emulator think_ms=3000]\nat last"])
                let beforeText = try #require(thought.text.components(separatedBy: "event: reply.delta").first)
                #expect(beforeText.components(separatedBy: ": waiting").count - 1 >= 2, "\(thought.text)")
                #expect(StreamedReply(thought).names.last == "reply.completed" && StreamedReply(thought).text == "at last")
            }
        }
    }
}
