/// Where the emulator listens and how it answers by default.
public struct EmulatorConfiguration: Sendable {
    /// Loopback by default: the emulator accepts any key and is meant for one machine.
    public var host: String
    /// 0 picks a free port; ``ProviderEmulator/withRunning(_:)`` and the `onListening` callback report it.
    public var port: Int
    /// The default script, before a base URL's `script/...` segments and a message's directive line.
    public var script: EmulatorScript
    /// When set, a request presenting another key (or none) is answered 401; otherwise any key is accepted.
    /// Compared by SHA-256, never logged.
    public var expectedKey: String?

    public init(host: String = "127.0.0.1", port: Int = 0, script: EmulatorScript = EmulatorScript(), expectedKey: String? = nil)
    {
        self.host = host
        self.port = port
        self.script = script
        self.expectedKey = expectedKey
    }
}
