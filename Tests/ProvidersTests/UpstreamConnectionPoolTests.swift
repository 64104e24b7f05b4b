import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing

@testable import Providers

/// The pooled upstream client against a scripted HTTP/1.1 server on loopback: keep-alive reuse,
/// the one retry on a connection the server dropped while idle, deadlines, size cap and failures.
@Suite struct UpstreamConnectionPoolTests {
    /// What the server does with one request.
    enum Behaviour: Sendable {
        /// Answers with `status` and `body`; with `close`, says `Connection: close` and closes after.
        case answer(status: Int = 200, body: String = #"{"ok":true}"#, close: Bool = false)
        /// Answers, then closes without saying so (as a server dropping a kept-alive connection).
        case answerThenDrop
        /// Closes the connection without answering.
        case dropWithoutAnswer
        /// Sends the head and half the body, then closes.
        case cutMidBody
        /// Answers after `milliseconds`.
        case delay(milliseconds: Int64)
    }

    /// A request as the server saw it.
    struct Seen: Sendable {
        let uri: String
        let headers: [(String, String)]
        let body: String
        /// The connection's number, in accept order from 1.
        let connection: Int
        /// Its position on that connection, from 1.
        let position: Int
    }

    final class ScriptedServer: Sendable {
        let script: Mutex<[Behaviour]>
        let fallback: Behaviour
        let seen = Mutex<[Seen]>([])
        let accepted = Mutex(0)
        let tls: NIOSSLContext?
        private let channel: Mutex<(any Channel)?> = Mutex(nil)

        init(_ script: [Behaviour], fallback: Behaviour = .answer(), tls: NIOSSLContext? = nil) {
            self.script = Mutex(script)
            self.fallback = fallback
            self.tls = tls
        }

        var url: String { "http://127.0.0.1:\(port)/v1/chat/completions?api-version=1" }
        var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }
        var connections: Int { accepted.withLock { $0 } }
        var requests: [Seen] { seen.withLock { $0 } }

        func next() -> Behaviour {
            script.withLock { $0.isEmpty ? fallback : $0.removeFirst() }
        }

        func start() async throws {
            let server = self
            let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    let number = server.accepted.withLock { $0 += 1; return $0 }
                    return channel.eventLoop.makeCompletedFuture {
                        if let tls = server.tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                        try channel.pipeline.syncOperations.addHandler(ScriptedHandler(server: server, connection: number))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            channel.withLock { $0 = bound }
        }

        func stop() async {
            let bound = channel.withLock { $0 }
            try? await bound?.close()
        }
    }

    final class ScriptedHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: ScriptedServer
        let connection: Int
        var position = 0
        var head: HTTPRequestHead?
        var body = ""

        init(server: ScriptedServer, connection: Int) {
            self.server = server
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
                body = ""
            case .body(let part):
                body += String(buffer: part)
            case .end:
                guard let head else { return }
                position += 1
                server.seen.withLock {
                    $0.append(Seen(
                        uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body, connection: connection,
                        position: position))
                }
                respond(context, server.next())
            }
        }

        func respond(_ context: ChannelHandlerContext, _ behaviour: Behaviour) {
            switch behaviour {
            case .answer(let status, let body, let close):
                write(context, status: status, body: body, close: close)
                if close { context.close(promise: nil) }
            case .answerThenDrop:
                write(context, status: 200, body: #"{"ok":true}"#, close: false)
                context.close(promise: nil)
            case .dropWithoutAnswer:
                context.close(promise: nil)
            case .cutMidBody:
                var headers = HTTPHeaders([("content-length", "100")])
                headers.add(name: "content-type", value: "application/json")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: String(repeating: "x", count: 50))))), promise: nil)
                context.close(promise: nil)
            case .delay(let milliseconds):
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                    guard bound.value.channel.isActive else { return }
                    handler.value.write(bound.value, status: 200, body: #"{"late":true}"#, close: false)
                }
            }
        }

        func write(_ context: ChannelHandlerContext, status: Int, body: String, close: Bool) {
            var headers = HTTPHeaders([("content-length", String(body.utf8.count)), ("content-type", "application/json")])
            if close { headers.add(name: "connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    func withServer(
        _ script: [Behaviour], fallback: Behaviour = .answer(), _ body: (ScriptedServer, UpstreamConnectionPool) async throws -> Void
    ) async throws {
        let server = ScriptedServer(script, fallback: fallback)
        try await server.start()
        let pool = UpstreamConnectionPool()
        do {
            try await body(server, pool)
        } catch {
            pool.shutdown()
            await server.stop()
            throw error
        }
        pool.shutdown()
        await server.stop()
    }

    func post(_ pool: UpstreamConnectionPool, _ url: String, body: String = #"{"q":1}"#, timeout: TimeAmount = .seconds(5), maxBodyBytes: Int = 1 << 20)
        async throws -> UpstreamConnectionPool.Response
    {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Authorization", value: "Bearer sk-test")
        return try await pool.post(url: url, headers: headers, body: ByteBuffer(string: body), deadline: .now() + timeout, maxBodyBytes: maxBodyBytes)
    }

    @Test func sequentialCallsShareOneConnectionAndSendTheRequestAsGiven() async throws {
        try await withServer([]) { server, pool in
            for index in 0..<5 {
                let response = try await post(pool, server.url, body: #"{"n":\#(index)}"#)
                #expect(response.status == 200)
                #expect(String(buffer: response.body) == #"{"ok":true}"#)
            }
            #expect(server.connections == 1)
            #expect(pool.idleCount == 1)
            let seen = server.requests
            #expect(seen.map(\.position) == [1, 2, 3, 4, 5])
            let first = try #require(seen.first)
            #expect(first.uri == "/v1/chat/completions?api-version=1")
            #expect(first.body == #"{"n":0}"#)
            let headers = Dictionary(first.headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { a, _ in a })
            #expect(headers["host"] == "127.0.0.1:\(server.port)")
            #expect(headers["content-length"] == "7")
            #expect(headers["authorization"] == "Bearer sk-test")
            #expect(headers["transfer-encoding"] == nil)
        }
    }

    @Test func concurrentCallsEachGetAConnectionAndAllAreKeptForReuse() async throws {
        try await withServer([]) { server, pool in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<24 { group.addTask { try await post(pool, server.url).status } }
                for try await status in group { #expect(status == 200) }
            }
            let opened = server.connections
            #expect(opened >= 1 && opened <= 24)
            #expect(pool.idleCount == opened)
            // A second wave reuses them: no connection is opened beyond the 24 the first could need.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<opened { group.addTask { try await post(pool, server.url).status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.connections <= 24)
            #expect(server.requests.count == 24 + opened)
        }
    }

    @Test func aCallerOnAnEventLoopTakesOnlyAnIdleConnectionOnThatLoop() async throws {
        try await withServer([]) { server, pool in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let loopA = group.next()
            let loopB = group.next()
            #expect(loopA !== loopB)
            let endpoint = try pool.target(for: server.url).endpoint
            // Idle list, oldest first: A, B, A.
            for loop in [loopA, loopB, loopA] {
                let channel = try await ClientBootstrap(group: loop).connect(host: "127.0.0.1", port: server.port).get()
                pool.release(channel, to: endpoint)
            }
            let takenOnB = try await loopB.submit { pool.takeIdle(for: endpoint, on: loopB) }.get()
            #expect(takenOnB?.eventLoop === loopB)
            let takenOnA = try await loopA.submit { pool.takeIdle(for: endpoint, on: loopA) }.get()
            #expect(takenOnA?.eventLoop === loopA)
            // None left on B: a caller there opens its own rather than borrowing A's, which stays idle.
            let onBAgain = try await loopB.submit { pool.takeIdle(for: endpoint, on: loopB) }.get()
            #expect(onBAgain == nil)
            #expect(pool.idleCount == 1)
            // A caller on no event loop takes whatever is idle.
            let anywhere = pool.takeIdle(for: endpoint, on: nil)
            #expect(anywhere?.eventLoop === loopA)
            #expect(pool.idleCount == 0)
            for channel in [takenOnB, takenOnA, anywhere].compactMap({ $0 }) { try await channel.close() }
            try await group.shutdownGracefully()
        }
    }

    @Test func aCallOnAnEventLoopOpensAndReleasesItsConnectionOnThatLoop() async throws {
        try await withServer([]) { server, pool in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let loopA = group.next()
            let loopB = group.next()
            let endpoint = try pool.target(for: server.url).endpoint
            // An idle connection on A only: a call made on B must not use it.
            let onA = try await ClientBootstrap(group: loopA).connect(host: "127.0.0.1", port: server.port).get()
            pool.release(onA, to: endpoint)
            let status = try await withTaskExecutorPreference(EventLoopTaskExecutor(loop: loopB)) {
                try await post(pool, server.url).status
            }
            #expect(status == 200)
            #expect(server.connections == 2)
            let idleOnB = try await loopB.submit { pool.takeIdle(for: endpoint, on: loopB) }.get()
            #expect(idleOnB?.eventLoop === loopB)
            let idleOnA = pool.takeIdle(for: endpoint, on: loopA)
            #expect(idleOnA === onA)
            for channel in [idleOnB, idleOnA].compactMap({ $0 }) { try await channel.close() }
            try await group.shutdownGracefully()
        }
    }

    @Test func aConnectionTheServerDroppedWhileIdleIsReplacedWithoutAFailure() async throws {
        // Second request on connection 1 finds it closed (answered then dropped): a new one carries it.
        try await withServer([.answerThenDrop]) { server, pool in
            let status1 = try await post(pool, server.url).status
            #expect(status1 == 200)
            try await Task.sleep(for: .milliseconds(50))
            let status2 = try await post(pool, server.url).status
            #expect(status2 == 200)
            #expect(server.connections == 2)
        }
    }

    @Test func aReusedConnectionClosedBeforeTheAnswerIsRetriedOnceOnANewOne() async throws {
        // The server takes the second request on connection 1 and closes without answering: the race
        // of a keep-alive timeout. The pool sends it again on a new connection, once.
        try await withServer([.answer(), .dropWithoutAnswer]) { server, pool in
            let status3 = try await post(pool, server.url).status
            #expect(status3 == 200)
            let status4 = try await post(pool, server.url, body: #"{"again":1}"#).status
            #expect(status4 == 200)
            let seen = server.requests
            #expect(seen.count == 3)
            #expect(seen.map(\.connection) == [1, 1, 2])
            #expect(seen.last?.body == #"{"again":1}"#)
        }
    }

    @Test func aNewConnectionClosedBeforeTheAnswerFailsWithoutRetry() async throws {
        try await withServer([.dropWithoutAnswer, .dropWithoutAnswer]) { server, pool in
            await #expect(throws: UpstreamConnectionPool.TransportError.closedBeforeAnswer) { _ = try await post(pool, server.url) }
            #expect(server.requests.count == 1)
        }
    }

    @Test func anAnswerCutMidBodyFailsAndIsNotRetried() async throws {
        try await withServer([.cutMidBody]) { server, pool in
            await #expect(throws: UpstreamConnectionPool.TransportError.closedDuringAnswer) { _ = try await post(pool, server.url) }
            #expect(server.requests.count == 1)
            #expect(pool.idleCount == 0)
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withServer([.answer(close: true), .answer(close: true)]) { server, pool in
            let status5 = try await post(pool, server.url).status
            #expect(status5 == 200)
            #expect(pool.idleCount == 0)
            let status6 = try await post(pool, server.url).status
            #expect(status6 == 200)
            #expect(server.connections == 2)
        }
    }

    @Test func theDeadlineCoversTheWholeExchangeAndTheLateConnectionIsNotReused() async throws {
        try await withServer([.delay(milliseconds: 1500)]) { server, pool in
            let started = ContinuousClock.now
            await #expect(throws: UpstreamConnectionPool.TransportError.deadlineExceeded) {
                _ = try await post(pool, server.url, timeout: .milliseconds(150))
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .milliseconds(1000), "deadline 150 ms, took \(elapsed)")
            #expect(pool.idleCount == 0)
            // The next call is answered on a fresh connection, not given the late answer of the first.
            let response = try await post(pool, server.url)
            #expect(String(buffer: response.body) == #"{"ok":true}"#)
            #expect(server.connections == 2)
        }
    }

    @Test func anAnswerOverTheCapIsRefused() async throws {
        let large = "[" + String(repeating: "1,", count: 3000) + "1]"
        try await withServer([.answer(body: large)]) { server, pool in
            await #expect(throws: UpstreamConnectionPool.TransportError.answerTooLarge) {
                _ = try await post(pool, server.url, maxBodyBytes: 1000)
            }
            #expect(pool.idleCount == 0)
        }
    }

    @Test func nonSuccessStatusesAreAnswersNotTransportErrors() async throws {
        try await withServer([.answer(status: 503, body: #"{"error":{"message":"busy"}}"#)]) { server, pool in
            let response = try await post(pool, server.url)
            #expect(response.status == 503)
            #expect(String(buffer: response.body).contains("busy"))
            #expect(pool.idleCount == 1)
        }
    }

    @Test func aRefusedConnectionAndABadURLFailClearly() async throws {
        // Bind then close a listener: its port is very likely free and refuses.
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        try await listener.close()
        let pool = UpstreamConnectionPool()
        await #expect(throws: UpstreamConnectionPool.TransportError.connectFailed) {
            _ = try await post(pool, "http://127.0.0.1:\(port)/v1/chat/completions")
        }
        for url in ["ftp://example.com/x", "not a url", "http:///path"] {
            await #expect(throws: UpstreamConnectionPool.TransportError.invalidURL) { _ = try await post(pool, url) }
        }
    }

    @Test func cancellingTheCallerEndsTheExchangeAtOnce() async throws {
        try await withServer([.delay(milliseconds: 3000)]) { server, pool in
            let call = Task { try await post(pool, server.url) }
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            call.cancel()
            await #expect(throws: (any Error).self) { _ = try await call.value }
            #expect(ContinuousClock.now - started < .milliseconds(1000))
            #expect(pool.idleCount == 0)
        }
    }

    @Test func targetsParseHostPortPathAndDefaultPorts() throws {
        let pool = UpstreamConnectionPool()
        let plain = try pool.target(for: "http://api.example.com/v1/chat")
        #expect(plain.endpoint == .init(host: "api.example.com", port: 80, tls: false))
        #expect(plain.hostHeader == "api.example.com")
        #expect(plain.path == "/v1/chat")
        let secure = try pool.target(for: "https://api.example.com:8443/openai/v1/chat?x=1%202")
        #expect(secure.endpoint == .init(host: "api.example.com", port: 8443, tls: true))
        #expect(secure.hostHeader == "api.example.com:8443")
        #expect(secure.path == "/openai/v1/chat?x=1%202")
        let implicit = try pool.target(for: "https://api.example.com:443")
        #expect(implicit.hostHeader == "api.example.com")
        #expect(implicit.path == "/")
        #expect(UpstreamConnectionPool.isIPAddress("127.0.0.1") && UpstreamConnectionPool.isIPAddress("::1"))
        #expect(!UpstreamConnectionPool.isIPAddress("api.example.com"))
    }

    /// A self-signed certificate for `localhost`, made with openssl for this test.
    static func localhostCertificate() throws -> (NIOSSLCertificate, NIOSSLPrivateKey) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pool-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.appendingPathComponent("key.pem").path,
            "-out", directory.appendingPathComponent("cert.pem").path, "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl is needed to make a test certificate")
        let certificate = try #require(try NIOSSLCertificate.fromPEMFile(directory.appendingPathComponent("cert.pem").path).first)
        let key = try NIOSSLPrivateKey(file: directory.appendingPathComponent("key.pem").path, format: .pem)
        return (certificate, key)
    }

    @Test func httpsVerifiesTheCertificateAndTheHostName() async throws {
        let (certificate, key) = try Self.localhostCertificate()
        let serverContext = try NIOSSLContext(
            configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key)))
        let server = ScriptedServer([], tls: serverContext)
        try await server.start()
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .certificates([certificate])
        let pool = UpstreamConnectionPool(tlsConfiguration: trusting)
        let systemRootsOnly = UpstreamConnectionPool()
        do {
            let url = "https://localhost:\(server.port)/v1/chat/completions"
            for _ in 0..<3 {
                let response = try await post(pool, url)
                #expect(response.status == 200)
                #expect(String(buffer: response.body) == #"{"ok":true}"#)
            }
            #expect(server.connections == 1)
            // A certificate no trust root vouches for is refused before anything is sent.
            await #expect(throws: UpstreamConnectionPool.TransportError.tlsFailed) { _ = try await post(systemRootsOnly, url) }
            #expect(server.requests.count == 3)
        } catch {
            pool.shutdown()
            await server.stop()
            throw error
        }
        pool.shutdown()
        systemRootsOnly.shutdown()
        await server.stop()
    }
}

/// Runs a task's jobs on one event loop, as `gatehouse serve` runs request tasks on the loops.
private final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop
    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
