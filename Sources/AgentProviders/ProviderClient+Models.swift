import AgentSecrets
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension ProviderClient {
    /// The largest list of models read; a provider's is a few kilobytes per hundred models.
    static let maximumModelListBytes = 1 << 20
    /// The most models returned, sorted by name.
    public static let maximumModels = 1_000
    /// The longest model name kept; an agent's `model` is no longer.
    static let maximumModelNameBytes = 200
    /// How long the whole list may take, head and body: a list is a page of JSON.
    public static let modelListTimeLimit = Duration.seconds(30)

    /// The names of the models `apiKey` may use at `endpoint` (`GET /v1/models`, OpenAI's or Anthropic's), sorted:
    /// what an agent's `model` can be, and, as the call needs a key the provider accepts, a check of the key.
    ///
    /// The address is checked as a chat call's is, and fails the same ways (``ProviderCallError``); a list
    /// that is not the protocol's shape is a protocol violation, and one that takes longer than
    /// ``modelListTimeLimit`` a timeout. The endpoint's name is looked up on `tenant`'s share of the
    /// resolver's threads.
    public func models(at endpoint: ProviderEndpoint, apiKey: Secret, for tenant: String?) async throws(ProviderCallError)
        -> [String]
    {
        let deadline = ContinuousClock.now + Self.modelListTimeLimit
        let target = try await addressPolicy.target(of: endpoint, for: tenant)
        var outgoing = HTTPClientRequest(url: endpoint.modelsURL)
        outgoing.method = .GET
        Self.addHeaders(of: endpoint.wireProtocol, presenting: apiKey, to: &outgoing)
        outgoing.headers.add(name: "accept", value: "application/json")
        let head = min(timeouts.responseHead, ContinuousClock.now.duration(to: deadline))
        let (response, client, release) = try await send(outgoing, to: endpoint, target: target, head: head)
        let loop = client.eventLoopGroup.any()
        if let failure = await refusal(in: response, on: loop, redacting: apiKey) {
            await release()
            throw failure
        }
        let read = await Self.collect(
            response.body, limit: Self.maximumModelListBytes, idle: timeouts.idle, on: loop, by: deadline)
        await release()
        switch read?.end {
        case .ended: break
        case .cancelled: throw .cancelled
        case .timedOut, nil: throw .failed(.timedOut)
        case .connectionLost: throw .failed(.connectionLost)
        case .stoppedEarly: throw .failed(.protocolViolation(.eventTooLarge(limit: Self.maximumModelListBytes)))
        }
        guard let body = read?.body, let list = try? JSONDecoder().decode(ModelList.self, from: Data(body.readableBytesView))
        else { throw .failed(.protocolViolation(.malformedJSON)) }
        let names = Set(list.data.map(\.id).filter { !$0.isEmpty && $0.utf8.count <= Self.maximumModelNameBytes })
        return Array(names.sorted().prefix(Self.maximumModels))
    }

    /// The body read whole, or nil when `deadline` came first (the read is then stopped).
    private static func collect(
        _ body: HTTPClientResponse.Body, limit: Int, idle: Duration, on loop: any EventLoop, by deadline: ContinuousClock.Instant
    ) async -> (end: BodyEnd, body: ByteBuffer)? {
        await withTaskGroup(of: (end: BodyEnd, body: ByteBuffer)?.self) { group in
            group.addTask { await collect(body, limit: limit, idle: idle, on: loop) }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// OpenAI's and Anthropic's list alike: `{"data": [{"id": ...}, ...]}`, other members ignored.
    private struct ModelList: Decodable {
        struct Model: Decodable {
            let id: String
        }

        let data: [Model]
    }
}
