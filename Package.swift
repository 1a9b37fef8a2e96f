// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "agent-platform",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agentctl", targets: ["agentctl"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // MARK: Store: schema, migrations, tenant-scoped access. Knows nothing of HTTP.
        .target(
            name: "AgentSecrets",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LocalPostgres",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentStore",
            dependencies: [
                "AgentSecrets", "EventLoopTasks",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Where tasks run: an event loop as a task executor, for the server's requests and their work.
        .target(
            name: "EventLoopTasks",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Providers: model providers' wire protocols (SSE, OpenAI, Anthropic) and the HTTP calls. No SQL.
        .target(
            name: "AgentProviders",
            dependencies: [
                "AgentSecrets", "EventLoopTasks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Provider emulator: a scripted OpenAI and Anthropic server for tests, benchmarks and a first try.
        // Writes its JSON itself, independently of AgentProviders, so tests of one against the other prove something.
        .target(
            name: "ProviderEmulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Replies: agents that answer. Composes the store (messages, keys, ledger) and the providers.
        .target(
            name: "AgentReplies",
            dependencies: [
                "AgentStore", "AgentProviders", "AgentSecrets", "EventLoopTasks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: HTTP API. Knows nothing of SQL.
        .target(
            name: "AgentAPI",
            dependencies: [
                "AgentStore", "AgentReplies", "AgentProviders", "EventLoopTasks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The contract, compiled into the binary: no resource bundle to ship beside `agentctl`.
            resources: [.embedInCode("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        // MARK: Web console: server-rendered pages over the store's operations; a companion of the API.
        .target(
            name: "AgentConsole",
            dependencies: [
                "AgentAPI", "AgentStore", "AgentReplies", "AgentProviders",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // Templates and assets compiled into the binary, as the API's contract is.
            resources: [
                .embedInCode("Templates/layout.mustache"), .embedInCode("Templates/signin.mustache"),
                .embedInCode("Templates/error.mustache"), .embedInCode("Templates/agents.mustache"),
                .embedInCode("Templates/agent.mustache"), .embedInCode("Templates/agent-form.mustache"),
                .embedInCode("Templates/connections.mustache"), .embedInCode("Templates/connection.mustache"),
                .embedInCode("Templates/connection-form.mustache"), .embedInCode("Templates/chat.mustache"),
                .embedInCode("Templates/search.mustache"),
                .embedInCode("Templates/usage.mustache"), .embedInCode("Templates/audit.mustache"),
                .embedInCode("Templates/conversations.mustache"),
                .embedInCode("Templates/tokens.mustache"), .embedInCode("Assets/console.css"),
                .embedInCode("Assets/console.js"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Benchmarks, run through agentctl in release builds.
        .target(
            name: "AgentBench",
            dependencies: [
                "AgentStore", "AgentAPI", "AgentSecrets",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Operator CLI: composes the store, the API and the local cluster.
        .executableTarget(
            name: "agentctl",
            dependencies: [
                "AgentStore", "AgentAPI", "AgentSecrets", "LocalPostgres", "AgentBench", "ProviderEmulator", "AgentReplies",
                "AgentProviders", "AgentConsole", "EventLoopTasks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Tests
        .target(
            name: "AgentTestSupport",
            dependencies: [
                "AgentStore", "LocalPostgres", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/AgentTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentSecretsTests",
            dependencies: ["AgentSecrets"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentBenchTests",
            dependencies: ["AgentBench"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentStoreTests",
            dependencies: [
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                "AgentStore", "AgentSecrets", "AgentTestSupport", "EventLoopTasks", "LocalPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentAPITests",
            dependencies: [
                "AgentAPI", "AgentConsole", "AgentStore", "AgentTestSupport", "AgentReplies", "AgentProviders",
                "ProviderEmulator", "LocalPostgres",
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            // Types generated from `openapi.yaml` (a link to the served document), to decode responses into.
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .testTarget(
            name: "AgentProvidersTests",
            dependencies: [
                "AgentProviders", "AgentSecrets", "ProviderEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LocalPostgresTests",
            dependencies: ["LocalPostgres"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentCtlTests",
            dependencies: [
                "agentctl", "AgentAPI", "AgentConsole", "AgentStore", "AgentSecrets", "AgentTestSupport", "AgentProviders",
                "AgentReplies",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"), .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
