// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Gatehouse",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gatehouse", targets: ["gatehouse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(name: "Core", swiftSettings: strict),
        .target(name: "Contract", dependencies: [
            "Core",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "LocalEngine", swiftSettings: strict),
        .target(name: "Guards", dependencies: ["LocalEngine"], swiftSettings: strict),
        .target(name: "Governance", swiftSettings: strict),
        .target(name: "Providers", dependencies: [
            "Core", "Governance",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "Store", dependencies: [
            "Core",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .target(name: "Pipeline", dependencies: ["Core", "Guards", "Governance"], swiftSettings: strict),
        .target(name: "Gateway", dependencies: [
            "Core", "Contract", "LocalEngine", "Providers", "Store", "Pipeline", "Guards", "Governance",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "GatehouseTesting", dependencies: [
            "Core", "Gateway", "Contract",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strict),
        .executableTarget(name: "gatehouse", dependencies: [
            "Gateway", "Contract", "Core", "LocalEngine", "Store", "Guards", "Governance",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        .executableTarget(name: "admission-benchmark", dependencies: ["Governance"], path: "Benchmarks/AdmissionBenchmark", swiftSettings: strict),
        .executableTarget(
            name: "hotpaths-benchmark", dependencies: ["Core", "Contract", "Guards", "Pipeline", "Store"], path: "Benchmarks/HotPathsBenchmark",
            swiftSettings: strict),
        .executableTarget(
            name: "bare-proxy",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ], path: "Benchmarks/BareProxy", swiftSettings: strict),
        .executableTarget(name: "guards-benchmark", dependencies: ["Guards", "LocalEngine"], path: "Benchmarks/GuardsBenchmark", swiftSettings: strict),
        .testTarget(name: "CoreTests", dependencies: ["Core"], swiftSettings: strict),
        .testTarget(name: "ContractTests", dependencies: ["Contract", "Core"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "LocalEngineTests", dependencies: ["LocalEngine"], swiftSettings: strict),
        .testTarget(name: "GovernanceTests", dependencies: ["Governance"], swiftSettings: strict),
        .testTarget(name: "GuardsTests", dependencies: ["Guards"], swiftSettings: strict),
        .testTarget(name: "ProvidersTests", dependencies: ["Providers", "Core", "GatehouseTesting"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: [
            "Store", "Core",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Core", "Guards"], swiftSettings: strict),
        .testTarget(name: "GatehouseCLITests", dependencies: [
            "GatehouseTesting", "Core", "Store", "gatehouse",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strict),
        .testTarget(name: "GatewayTests", dependencies: [
            "Gateway", "GatehouseTesting", "Core", "Contract",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: strict),
    ]
)
