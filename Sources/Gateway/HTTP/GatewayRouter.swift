import Core
import HTTPTypes
import Hummingbird
import NIOCore

/// Builds the HTTP router: every route of the public API in one list.
enum GatewayRouter {
    static func build(runtime: GatewayRuntime) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        let settings = runtime.configuration.server
        router.add(middleware: SecurityHeadersMiddleware())
        if !settings.corsAllowedOrigins.isEmpty {
            router.add(middleware: CORSAllowListMiddleware(origins: Set(settings.corsAllowedOrigins)))
        }
        router.add(middleware: ErrorMiddleware(knownRoutes: [
            (["healthz"], [.get, .head]),
            (["readyz"], [.get, .head]),
            (["metrics"], [.get]),
            (["v1", "usecases", ":id", "invoke"], [.post]),
            (["v1", "chat", "completions"], [.post]),
            (["v1", "models"], [.get, .head]),
            (["v1", "admin", "keys"], [.get, .post]),
            (["v1", "admin", "keys", ":id", "rotate"], [.post]),
            (["v1", "admin", "keys", ":id", "revoke"], [.post]),
            (["v1", "admin", "erasure"], [.post]),
            (["v1", "admin", "reload"], [.post]),
            (["v1", "admin", "audit", "verify"], [.get]),
            (["v1", "invocations", ":id"], [.get]),
            (["v1", "usecases", ":id", "summary"], [.get]),
            (["v1", "spend"], [.get]),
            (["v1", "reviews"], [.get]),
            (["v1", "feedback"], [.post]),
            (["v1", "reviews", ":id", "claim"], [.post]),
            (["v1", "reviews", ":id", "approve"], [.post]),
            (["v1", "reviews", ":id", "correct"], [.post]),
            (["v1", "reviews", ":id", "reject"], [.post]),
        ]))
        router.add(middleware: HeaderLimitMiddleware(maxBytes: settings.maxHeaderBytes, maxCount: settings.maxHeaderCount))
        let invoke = InvokeHandler(runtime: runtime)
        let chat = ChatCompletionsHandler(runtime: runtime)
        let health = HealthHandler(runtime: runtime)

        router.get("/healthz") { _, _ in health.alive() }
        router.get("/readyz") { _, _ in await health.ready() }
        let metrics = MetricsHandler(runtime: runtime)
        router.get("/metrics") { request, _ in try await metrics.scrape(request) }
        router.post("/v1/usecases/:id/invoke") { request, context in
            try await invoke.handle(request, useCaseID: context.parameters.get("id") ?? "")
        }
        router.post("/v1/chat/completions") { request, _ in try await chat.handle(request) }
        router.get("/v1/models") { request, _ in try await chat.models(request) }

        let admin = AdminHandler(runtime: runtime)
        router.get("/v1/admin/keys") { request, _ in try await admin.listKeys(request) }
        router.post("/v1/admin/keys") { request, _ in try await admin.createKey(request) }
        router.post("/v1/admin/keys/:id/rotate") { request, context in
            try await admin.rotateKey(request, id: context.parameters.get("id") ?? "")
        }
        router.post("/v1/admin/keys/:id/revoke") { request, context in
            try await admin.revokeKey(request, id: context.parameters.get("id") ?? "")
        }
        router.post("/v1/admin/erasure") { request, _ in try await admin.erase(request) }
        router.post("/v1/admin/reload") { request, _ in try await admin.reload(request) }
        router.get("/v1/admin/audit/verify") { request, _ in try await admin.verifyAudit(request) }
        router.get("/v1/invocations/:id") { request, context in
            try await admin.invocation(request, id: context.parameters.get("id") ?? "")
        }
        router.get("/v1/spend") { request, _ in try await admin.spend(request) }
        let reviews = ReviewHandler(runtime: runtime)
        router.get("/v1/reviews") { request, _ in try await reviews.list(request) }
        router.post("/v1/feedback") { request, _ in try await reviews.feedback(request) }
        router.post("/v1/reviews/:id/claim") { request, context in try await reviews.claim(request, id: context.parameters.get("id") ?? "") }
        router.post("/v1/reviews/:id/approve") { request, context in
            try await reviews.decide(request, id: context.parameters.get("id") ?? "", action: .approved)
        }
        router.post("/v1/reviews/:id/correct") { request, context in
            try await reviews.decide(request, id: context.parameters.get("id") ?? "", action: .corrected)
        }
        router.post("/v1/reviews/:id/reject") { request, context in
            try await reviews.decide(request, id: context.parameters.get("id") ?? "", action: .rejected)
        }
        router.get("/v1/usecases/:id/summary") { request, context in
            try await admin.summary(request, useCaseID: context.parameters.get("id") ?? "")
        }
        return router
    }
}

/// JSON responses with the gateway's headers.
enum JSONResponse {
    static func ok(_ value: JSONValue, headers extra: HTTPFields = [:]) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        value.write(into: &bytes)
        return ok(bytes: bytes, headers: extra)
    }

    /// A body already written as JSON text.
    static func ok(bytes: [UInt8], headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func created(_ value: JSONValue) -> Response {
        var response = ok(value)
        response.status = .created
        return response
    }
}

extension HTTPField.Name {
    static let invocationID = HTTPField.Name("x-gatehouse-invocation-id")!
    static let decision = HTTPField.Name("x-gatehouse-decision")!
    static let traceparent = HTTPField.Name("traceparent")!
    /// The data subject (customer, patient) a request's payload is about, for erasure on request.
    static let dataSubject = HTTPField.Name("x-gatehouse-data-subject")!
}
