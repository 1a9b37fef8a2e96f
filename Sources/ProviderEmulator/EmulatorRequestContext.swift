import Hummingbird

/// A request's context in the emulator: the client's port beside Hummingbird's core, so that what it
/// records tells which requests came over one connection.
struct EmulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The port the client connected from; requests from one port came over one connection.
    let clientPort: Int?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientPort = source.channel.remoteAddress?.port
    }
}
