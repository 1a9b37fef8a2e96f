import AgentSecrets
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension ProviderClient {
    /// The largest list of models read; a provider's is a few kilobytes per hundred models.
    static let maximumModelListBytes = 4 << 20
    /// The most models returned, sorted by name.
    public static let maximumModels = 1_000

    /// The names of the models `apiKey` may use at `endpoint` (`GET /v1/models`, OpenAI's or Anthropic's), sorted:
    /// what an agent's `model` can be, and, as the call needs a key the provider accepts, a check of the key.
    ///
    /// The address is checked as a chat call's is, and fails the same ways (``ProviderCallError``); a list
    /// that is not the protocol's shape is a protocol violation. The endpoint's name is looked up on
    /// `tenant`'s share of the resolver's threads.
    public func models(at endpoint: ProviderEndpoint, apiKey: Secret, for tenant: String?) async throws(ProviderCallError)
        -> [String]
    {
        let target = try await addressPolicy.target(of: endpoint, for: tenant)
        var outgoing = HTTPClientRequest(url: endpoint.modelsURL)
        outgoing.method = .GET
        Self.addHeaders(of: endpoint.wireProtocol, presenting: apiKey, to: &outgoing)
        outgoing.headers.add(name: "accept", value: "application/json")
        let (response, client, release) = try await send(outgoing, to: endpoint, target: target, head: timeouts.responseHead)
        let loop = client.eventLoopGroup.any()
        guard (200..<300).contains(response.status.code), response.history.count <= 1 else {
            let failure = await refusal(in: response, on: loop, redacting: apiKey)
            await release()
            throw failure
        }
        let (end, body) = await Self.collect(response.body, limit: Self.maximumModelListBytes, idle: timeouts.idle, on: loop)
        await release()
        switch end {
        case .ended: break
        case .cancelled: throw .cancelled
        case .timedOut: throw .failed(.timedOut)
        case .connectionLost: throw .failed(.connectionLost)
        case .stoppedEarly: throw .failed(.protocolViolation(.eventTooLarge(limit: Self.maximumModelListBytes)))
        }
        guard let list = try? JSONDecoder().decode(ModelList.self, from: Data(body.readableBytesView)) else {
            throw .failed(.protocolViolation(.malformedJSON))
        }
        return Array(Set(list.data.map(\.id)).sorted().prefix(Self.maximumModels))
    }

    /// OpenAI's and Anthropic's list alike: `{"data": [{"id": ...}, ...]}`, other members ignored.
    private struct ModelList: Decodable {
        struct Model: Decodable {
            let id: String
        }

        let data: [Model]
    }
}
