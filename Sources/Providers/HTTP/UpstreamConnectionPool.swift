import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A pooled HTTP/1.1 client for the one exchange a non-streaming provider call makes: a POST with a
/// body in memory, an answer collected in memory, within a deadline.
///
/// Why not AsyncHTTPClient for this: per call, its general request state machines, delegate and
/// connection-pool bookkeeping cost more CPU than the rest of a passthrough request's work in
/// Gatehouse (see BENCHMARKS.md). This client does only what that exchange needs: a write on the
/// connection's event loop (the caller's own, when it runs on one), one completion back, keep-alive
/// reuse per event loop, TLS through NIOSSL.
/// Streams, webhooks and evaluation calls still go through AsyncHTTPClient.
public final class UpstreamConnectionPool: Sendable {
    /// Where connections go: one idle list per scheme, host and port.
    struct Endpoint: Hashable, Sendable {
        let host: String
        let port: Int
        let tls: Bool
    }

    /// A parsed URL: the endpoint, and the head's target and `Host` value.
    struct Target: Sendable {
        let endpoint: Endpoint
        let path: String
        let hostHeader: String
    }

    /// A complete answer.
    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer
        /// The connection may carry another request (the answer was complete and asked for no close).
        let reusable: Bool
    }

    /// Transport failures, with no URL or header in them (they could carry credentials).
    enum TransportError: Error, Equatable {
        /// The connection ended before any byte of the answer: on a reused connection, the server had
        /// closed it while idle and never saw the request, so the call is retried once on a new one.
        case closedBeforeAnswer
        /// The connection ended in the middle of the answer.
        case closedDuringAnswer
        case deadlineExceeded
        case answerTooLarge
        case connectFailed
        /// The TLS handshake failed: an untrusted certificate, a name mismatch, no common protocol.
        case tlsFailed
        case invalidURL
    }

    fileprivate struct IdleConnection {
        let channel: any Channel
        let since: NIODeadline
    }

    private let group: any EventLoopGroup
    private let connectTimeout: TimeAmount
    /// Idle connections kept per endpoint; more are closed on release.
    private let maxIdlePerEndpoint: Int
    /// An idle connection older than this is closed instead of reused: servers drop idle connections
    /// (nginx after 75 s, many load balancers after 60 s), and a reused dead one costs a retry.
    private let idleLifetime: TimeAmount
    private let idle = Mutex<[Endpoint: [IdleConnection]]>([:])
    private let targets = Mutex<[String: Target]>([:])
    private let tlsConfiguration: TLSConfiguration
    private let tlsContext = Mutex<NIOSSLContext?>(nil)

    /// For callers without a runtime of their own (tools and tests), as `HTTPClient.shared` is.
    public static let shared = UpstreamConnectionPool()

    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: TimeAmount = .seconds(5),
        maxIdlePerEndpoint: Int = 64, idleLifetime: TimeAmount = .seconds(50),
        tlsConfiguration: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.tlsConfiguration = tlsConfiguration
        self.group = group
        self.connectTimeout = connectTimeout
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
        self.idleLifetime = idleLifetime
    }

    /// Closes every idle connection (those in use close when their exchange ends).
    public func shutdown() {
        let all = idle.withLock { table -> [IdleConnection] in
            defer { table = [:] }
            return table.values.flatMap { $0 }
        }
        for connection in all { connection.channel.close(promise: nil) }
    }

    /// How many connections are idle in the pool (for tests and diagnostics).
    var idleCount: Int { idle.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// POSTs `body` to `url` and collects the answer, all before `deadline`.
    func post(url: String, headers: HTTPHeaders, body: ByteBuffer, deadline: NIODeadline, maxBodyBytes: Int) async throws -> Response {
        let target = try target(for: url)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path, headers: headers)
        head.headers.replaceOrAdd(name: "Host", value: target.hostHeader)
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        var retried = false
        while true {
            let (channel, reused) = try await connection(to: target.endpoint, deadline: deadline)
            do {
                let response = try await exchange(on: channel, head: head, body: body, deadline: deadline, maxBodyBytes: maxBodyBytes)
                if response.reusable { release(channel, to: target.endpoint) } else { channel.close(promise: nil) }
                return response
            } catch TransportError.closedBeforeAnswer where reused && !retried {
                retried = true
            }
        }
    }

    private func exchange(
        on channel: any Channel, head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline, maxBodyBytes: Int
    ) async throws -> Response {
        let promise = channel.eventLoop.makePromise(of: Response.self)
        let exchange = ExchangeHandler.Exchange(head: head, body: body, deadline: deadline, maxBodyBytes: maxBodyBytes, promise: promise)
        // A write that fails before reaching the handler (the channel closed meanwhile) completes nothing else.
        channel.writeAndFlush(exchange).whenFailure { _ in promise.fail(TransportError.closedBeforeAnswer) }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    private func connection(to endpoint: Endpoint, deadline: NIODeadline) async throws -> (any Channel, reused: Bool) {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop
        if let reusable = takeIdle(for: endpoint, on: loop) { return (reusable, true) }
        return (try await connect(to: endpoint, on: loop ?? group.any(), deadline: deadline), false)
    }

    /// An idle connection to `endpoint` that is still open and young enough, if there is one; stale
    /// ones met on the way are closed. A caller running on an event loop gets only a connection that
    /// lives on that loop (the caller then opens a new one there rather than borrowing one from another
    /// loop), as Envoy keeps a pool per worker thread: the write needs no hop to another thread, and the
    /// answer resumes the caller on the thread that serves its own client, so a request stays on one
    /// thread from its first byte to its last and each loop carries the work of its own clients.
    /// Borrowing across loops had most requests' work end up on one loop (measured: one loop three times
    /// the other's CPU under load, that loop nearly saturated).
    func takeIdle(for endpoint: Endpoint, on loop: (any EventLoop)?) -> (any Channel)? {
        let now = NIODeadline.now()
        let lifetime = idleLifetime
        var stale: [any Channel] = []
        let reusable = idle.withLock { table -> (any Channel)? in
            table[endpoint]?.takeNewest(on: loop, usableAt: now, lifetime: lifetime, stale: &stale) ?? nil
        }
        for channel in stale { channel.close(promise: nil) }
        return reusable
    }

    func release(_ channel: any Channel, to endpoint: Endpoint) {
        let kept = idle.withLock { table -> Bool in
            var list = table[endpoint, default: []]
            guard list.count < maxIdlePerEndpoint else { return false }
            list.append(IdleConnection(channel: channel, since: .now()))
            table[endpoint] = list
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    private func connect(to endpoint: Endpoint, on loop: any EventLoop, deadline: NIODeadline) async throws -> any Channel {
        let tls = endpoint.tls ? try tlsContextForClients() : nil
        let serverName = endpoint.tls && !Self.isIPAddress(endpoint.host) ? endpoint.host : nil
        let remaining = deadline - .now()
        // On the caller's event loop when it runs on one (see `takeIdle(for:on:)`).
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(min(connectTimeout, max(remaining, .milliseconds(1))))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(ExchangeHandler())
                }
            }
        do {
            return try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            if deadline <= .now() { throw TransportError.deadlineExceeded }
            throw TransportError.connectFailed
        }
    }

    /// One TLS context for every HTTPS endpoint (by default: system trust roots, certificate and host
    /// name verified), made on first use.
    private func tlsContextForClients() throws(TransportError) -> NIOSSLContext {
        let configuration = tlsConfiguration
        do {
            return try tlsContext.withLock { context in
                if let context { return context }
                let made = try NIOSSLContext(configuration: configuration)
                context = made
                return made
            }
        } catch {
            throw .tlsFailed
        }
    }

    /// URLs are parsed once each; they come from the configuration, so the table stays small.
    func target(for url: String) throws(TransportError) -> Target {
        if let known = targets.withLock({ $0[url] }) { return known }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { throw .invalidURL }
        let tls = scheme == "https"
        let port = components.port ?? (tls ? 443 : 80)
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        let hostLiteral = host.contains(":") ? "[\(host)]" : host
        let defaultPort = components.port == nil || port == (tls ? 443 : 80)
        let made = Target(
            endpoint: Endpoint(host: host, port: port, tls: tls), path: path,
            hostHeader: defaultPort ? hostLiteral : "\(hostLiteral):\(port)")
        targets.withLock { $0[url] = made }
        return made
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// Writes one request and collects its answer; the last handler of each pooled connection.
final class ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Exchange
    typealias OutboundOut = HTTPClientRequestPart

    struct Exchange: Sendable {
        let head: HTTPRequestHead
        let body: ByteBuffer
        let deadline: NIODeadline
        let maxBodyBytes: Int
        let promise: EventLoopPromise<UpstreamConnectionPool.Response>
    }

    private var promise: EventLoopPromise<UpstreamConnectionPool.Response>?
    private var timer: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var maxBodyBytes = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard promise == nil else {
            // The pool hands a connection to one caller at a time; a second write is a bug, not a race to lose.
            exchange.promise.fail(UpstreamConnectionPool.TransportError.closedBeforeAnswer)
            return
        }
        promise = exchange.promise
        maxBodyBytes = exchange.maxBodyBytes
        head = nil
        body = nil
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(deadline: exchange.deadline) {
            handler.value.finish(.failure(UpstreamConnectionPool.TransportError.deadlineExceeded))
            channel.close(promise: nil)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: writePromise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let answerHead):
            // An interim answer (100 Continue and the like) is not the answer.
            if answerHead.status.code >= 100 && answerHead.status.code < 200 { return }
            head = answerHead
        case .body(var part):
            guard promise != nil else { return }
            if (body?.readableBytes ?? 0) + part.readableBytes > maxBodyBytes {
                finish(.failure(UpstreamConnectionPool.TransportError.answerTooLarge))
                context.close(promise: nil)
                return
            }
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            guard let answerHead = head else { return }
            finish(.success(.init(
                status: Int(answerHead.status.code), headers: answerHead.headers, body: body ?? ByteBuffer(),
                reusable: answerHead.isKeepAlive)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(head == nil && body == nil
            ? UpstreamConnectionPool.TransportError.closedBeforeAnswer : UpstreamConnectionPool.TransportError.closedDuringAnswer))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            finish(.failure(UpstreamConnectionPool.TransportError.tlsFailed))
            context.close(promise: nil)
            return
        }
        finish(.failure(head == nil && body == nil
            ? UpstreamConnectionPool.TransportError.closedBeforeAnswer : UpstreamConnectionPool.TransportError.closedDuringAnswer))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<UpstreamConnectionPool.Response, any Error>) {
        guard let pending = promise else { return }
        promise = nil
        timer?.cancel()
        timer = nil
        head = nil
        body = nil
        pending.completeWith(result)
    }
}

extension UpstreamConnectionPool {
    /// A JSON POST for `Benchmarks/LeanProxy`, which measures this client outside the gateway.
    @_spi(Benchmark)
    public func benchmarkPost(url: String, body: ByteBuffer) async throws -> (status: Int, contentType: String?, body: ByteBuffer) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        let response = try await post(url: url, headers: headers, body: body, deadline: .now() + .seconds(30), maxBodyBytes: 32 << 20)
        return (response.status, response.headers.first(name: "content-type"), response.body)
    }
}

extension Array where Element == UpstreamConnectionPool.IdleConnection {
    /// Removes and returns the most recently released connection that lives on `loop` (on any loop
    /// when `loop` is nil) and is still usable; unusable ones met on the way, on any loop, are removed
    /// into `stale`.
    fileprivate mutating func takeNewest(
        on loop: (any EventLoop)?, usableAt now: NIODeadline, lifetime: TimeAmount, stale: inout [any Channel]
    ) -> (any Channel)? {
        var index = endIndex
        while index > startIndex {
            index -= 1
            let candidate = self[index]
            let usable = candidate.channel.isActive && now - candidate.since < lifetime
            if !usable {
                stale.append(remove(at: index).channel)
            } else if loop == nil || candidate.channel.eventLoop === loop {
                return remove(at: index).channel
            }
        }
        return nil
    }
}
