import Core
import Hummingbird
import HummingbirdCore
import NIOHTTPTypes
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

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

    func application(onListening: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        let settings = runtime.configuration.server
        let readTimeout = TimeAmount.milliseconds(Int64(settings.requestReadTimeoutMilliseconds))
        let idleTimeout = TimeAmount.milliseconds(Int64(settings.idleTimeoutMilliseconds))
        // The decoder's limits are a backstop (the connection is closed); the middleware answers 431 below them.
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: settings.maxHeaderBytes * 2, maxHeaderListSize: settings.maxHeaderBytes * 2,
            maxHeaderFieldCount: settings.maxHeaderCount * 2)
        let http1 = HTTPServerBuilder.http1(configuration: .init(
            additionalChannelHandlers: [RequestReadTimeoutHandler(readTimeout: readTimeout, idleTimeout: idleTimeout)],
            idleTimeout: idleTimeout, httpDecoderConfiguration: decoder))
        let server: HTTPServerBuilder
        if let tls = settings.tls {
            let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            server = try .tls(http1, tlsConfiguration: configuration)
        } else {
            server = http1
        }
        return Application(
            router: GatewayRouter.build(runtime: runtime),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "Gatehouse"),
            // Shut down after the server (services stop in reverse order): in-flight requests still record.
            services: [
                runtime.ledger,
                runtime.traces,
                RetentionPurger(
                    store: runtime.store, interval: .seconds(runtime.configuration.server.retentionPurgeIntervalSeconds),
                    logger: runtime.logger),
                ReviewSLAWatcher(runtime: runtime, interval: .seconds(runtime.configuration.server.reviewCheckIntervalSeconds)),
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
