import Core
import Hummingbird

/// Liveness and readiness. Ready means: configuration loaded (it is, or the server would not run) and
/// the store takes writes.
struct HealthHandler: Sendable {
    let runtime: GatewayRuntime

    func alive() -> Response {
        JSONResponse.ok(["status": "alive"])
    }

    func ready() async -> Response {
        do {
            try await runtime.store.checkWritable()
            return JSONResponse.ok([
                "status": "ready", "use_cases": .number(Double(runtime.configuration.useCases.count)),
                "store": "writable", "ledger_queue": .number(Double(runtime.ledger.queueDepth)),
            ])
        } catch {
            return GatewayError(status: 503, code: .providerUnavailable, message: "Store is not writable.", retryAfterSeconds: 5).httpResponse
        }
    }
}
