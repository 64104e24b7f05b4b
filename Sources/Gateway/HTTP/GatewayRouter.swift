import Core
import HTTPTypes
import Hummingbird
import NIOCore

/// Builds the HTTP router: every route of the public API in one list.
enum GatewayRouter {
    static func build(runtime: GatewayRuntime) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: ErrorMiddleware(knownRoutes: [
            (["healthz"], [.get, .head]),
            (["readyz"], [.get, .head]),
            (["v1", "usecases", ":id", "invoke"], [.post]),
            (["v1", "chat", "completions"], [.post]),
            (["v1", "models"], [.get, .head]),
        ]))
        let invoke = InvokeHandler(runtime: runtime)
        let chat = ChatCompletionsHandler(runtime: runtime)
        let health = HealthHandler(runtime: runtime)

        router.get("/healthz") { _, _ in health.alive() }
        router.get("/readyz") { _, _ in await health.ready() }
        router.post("/v1/usecases/:id/invoke") { request, context in
            try await invoke.handle(request, useCaseID: context.parameters.get("id") ?? "")
        }
        router.post("/v1/chat/completions") { request, _ in try await chat.handle(request) }
        router.get("/v1/models") { request, _ in try chat.models(request) }
        return router
    }
}

/// JSON responses with the gateway's headers.
enum JSONResponse {
    static func ok(_ value: JSONValue, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: value.compactJSONData())))
    }
}

extension HTTPField.Name {
    static let invocationID = HTTPField.Name("x-gatehouse-invocation-id")!
    static let decision = HTTPField.Name("x-gatehouse-decision")!
    static let traceparent = HTTPField.Name("traceparent")!
}
