import Core
import Hummingbird
import Logging

/// The HTTP server of a runtime. `port: 0` binds an ephemeral port, reported through `onListening`.
public struct GatewayServer: Sendable {
    public let runtime: GatewayRuntime
    public let host: String
    public let port: Int

    public init(runtime: GatewayRuntime, host: String? = nil, port: Int? = nil) {
        self.runtime = runtime
        self.host = host ?? runtime.configuration.server.host
        self.port = port ?? runtime.configuration.server.port
    }

    func application(onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(
            router: GatewayRouter.build(runtime: runtime),
            configuration: .init(address: .hostname(host, port: port), serverName: "Gatehouse"),
            // Shut down after the server (services stop in reverse order): in-flight requests still record.
            services: [
                runtime.ledger,
                RetentionPurger(
                    store: runtime.store, interval: .seconds(runtime.configuration.server.retentionPurgeIntervalSeconds),
                    logger: runtime.logger),
            ],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: runtime.logger)
    }

    /// Serves until SIGTERM/SIGINT, then finishes in-flight requests and returns.
    public func runUntilSignalled(onListening: @escaping @Sendable (Int) async -> Void) async throws {
        try await application(onListening: onListening).runService()
    }

    /// Serves until the calling task is cancelled (tests).
    public func run(onListening: @escaping @Sendable (Int) async -> Void) async throws {
        try await application(onListening: onListening).run()
    }
}
