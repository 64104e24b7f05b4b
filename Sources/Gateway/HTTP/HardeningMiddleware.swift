import Core
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOHTTPTypes
import NIOCore

/// Headers every response carries: no MIME sniffing, no framing, no referrer, no caching of answers
/// that may hold personal data, and a content security policy that allows nothing (the API serves no
/// active content; an HTML page sets its own, stricter-where-needed policy).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    static let headers: [(HTTPField.Name, String)] = [
        (.xContentTypeOptions, "nosniff"),
        (.xFrameOptions, "DENY"),
        (.referrerPolicy, "no-referrer"),
        (.contentSecurityPolicy, "default-src 'none'; frame-ancestors 'none'"),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for (name, value) in Self.headers where response.headers[name] == nil {
            response.headers[name] = value
        }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// Refuses requests whose header block is larger or has more fields than configured (431), before
/// any route reads them. The HTTP decoder enforces a looser limit below this one as a backstop.
struct HeaderLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let maxBytes: Int
    let maxCount: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let fields = request.headers
        var bytes = 0
        for field in fields { bytes += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        if fields.count > maxCount || bytes > maxBytes {
            throw HTTPGatewayError(GatewayError(
                status: 431, code: .init(rawValue: "request_header_fields_too_large"),
                message: "Request headers exceed the limit of \(maxCount) fields or \(maxBytes) bytes."))
        }
        return try await next(request, context)
    }
}

/// CORS for the configured origins only. With no origins configured this middleware is not installed
/// and no CORS header is ever sent, so browsers keep their same-origin default.
struct CORSAllowListMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) || origins.contains("*") else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = allowHeaders(origin)
            headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = "authorization, content-type, traceparent, x-gatehouse-data-subject"
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        for field in allowHeaders(origin) { response.headers[field.name] = field.value }
        return response
    }

    func allowHeaders(_ origin: String) -> HTTPFields {
        [.accessControlAllowOrigin: origin, .vary: "Origin", .accessControlExposeHeaders: "x-gatehouse-invocation-id, x-gatehouse-decision, retry-after"]
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("x-content-type-options")!
    static let xFrameOptions = HTTPField.Name("x-frame-options")!
    static let referrerPolicy = HTTPField.Name("referrer-policy")!
    static let contentSecurityPolicy = HTTPField.Name("content-security-policy")!
}

/// Closes a connection whose client is too slow to send a request: the head and the body must each
/// arrive within `readTimeout` (from connection open for the first request, from the end of the head
/// for its body), and the next request of a kept-alive connection within `idleTimeout`. A client
/// dribbling bytes cannot hold a connection, since the idle timer alone resets on every byte.
///
/// The timer is not re-armed per request: each request only moves `deadline`, and the one timer per
/// connection, when it fires, closes the connection if the deadline has passed or arms itself again
/// for the deadline (at most `horizon` ahead, so a new deadline is never earlier than the timer).
/// Scheduling and cancelling a timer three times per request cost more than the rest of the handler.
final class RequestReadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let readTimeout: TimeAmount
    let idleTimeout: TimeAmount
    /// How far ahead the timer is ever armed: the shorter timeout.
    let horizon: TimeAmount
    /// When the connection closes unless the awaited bytes arrived; nil while the server answers.
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?

    init(readTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.horizon = min(readTimeout, idleTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { expect(context, within: readTimeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        expect(context, within: readTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: expect(context, within: readTimeout)
        case .body: break
        case .end: deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { expect(context, within: idleTimeout) }
        context.write(data, promise: promise)
    }

    private func expect(_ context: ChannelHandlerContext, within timeout: TimeAmount) {
        let now = NIODeadline.now()
        deadline = now + timeout
        // An armed timer fires no later than this deadline (see the type's comment) and then looks again.
        if timer == nil { arm(context, at: now + horizon) }
    }

    private func arm(_ context: ChannelHandlerContext, at when: NIODeadline) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let channel = context.channel
        timer = loop.scheduleTask(deadline: when) { handler.value.fired(channel, on: loop) }
    }

    private func fired(_ channel: any Channel, on loop: any EventLoop) {
        timer = nil
        guard let deadline else { return }  // answering: re-armed when the answer ends
        let now = NIODeadline.now()
        if now >= deadline {
            self.deadline = nil
            channel.close(promise: nil)
            return
        }
        let handler = NIOLoopBound(self, eventLoop: loop)
        timer = loop.scheduleTask(deadline: min(deadline, now + horizon)) { handler.value.fired(channel, on: loop) }
    }

    private func stop() {
        timer?.cancel()
        timer = nil
        deadline = nil
    }
}
