import Hummingbird
import Logging

/// Serves a router on an ephemeral loopback port for the duration of `body`, which receives the port.
public enum LoopbackServer {
    static let quietLogger: Logger = {
        var logger = Logger(label: "loopback-server")
        logger.logLevel = .critical
        return logger
    }()

    public static func serve<T: Sendable>(_ router: Router<BasicRequestContext>, name: String = "test-server", _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: name),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: quietLogger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let value = try await body(port)
            group.cancelAll()
            return value
        }!
    }
}
