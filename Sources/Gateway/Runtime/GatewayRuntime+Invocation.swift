import Core
import Hummingbird
import Logging
import Pipeline

extension GatewayRuntime {
    /// Runs the use-case pipeline and logs one line for the invocation (no payloads, no secrets).
    public func run(_ context: InvocationContext) async -> InvocationContext {
        metrics.inFlight.increment()
        let finished = await pipeline.run(context, environment: environment)
        metrics.inFlight.decrement()
        log(finished)
        return finished
    }

    /// Records a request rejected before the pipeline could run (body too large, wrong content type, bad JSON).
    @discardableResult
    func recordRejection(route: InvocationRoute, useCaseID: String?, bearerToken: String?, error: GatewayError) async -> String {
        var context = InvocationContext(route: route, bearerToken: bearerToken, useCaseID: useCaseID, payload: .invokeBody([]))
        if let token = bearerToken {
            context.principal = try? await environment.authenticator.authenticate(bearerToken: token)
        }
        context.useCase = useCaseID.flatMap { configuration.useCase(id: $0) }
        context.fail(with: error)
        await RecordStage().record(&context, environment)
        log(context)
        return context.id
    }

    /// Authenticates a request outside the invocation pipeline (admin, read routes): 401 for a missing,
    /// unknown, expired or revoked key, always with the same message.
    func authenticate(_ request: Request) async throws(HTTPGatewayError) -> Principal {
        guard let token = RequestBodyReader.bearerToken(request), !token.isEmpty else { throw HTTPGatewayError(.missingAPIKey) }
        let principal: Principal?
        do {
            principal = try await environment.authenticator.authenticate(bearerToken: token)
        } catch {
            throw HTTPGatewayError(error)
        }
        guard let principal else { throw HTTPGatewayError(.invalidAPIKey) }
        return principal
    }

    /// Logs one line for a finished invocation and records its metrics.
    func log(_ context: InvocationContext) {
        metrics.observe(context, knownModels: knownModels)
        traces.record(context)
        // Built only when it will be written.
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "invocation.id": "\(context.id)",
            "route": "\(context.route.rawValue)",
            "decision": "\((context.decision ?? .failed).rawValue)",
            "http.status": "\(context.httpStatus)",
            "latency_ms": "\(Int(context.latencyMilliseconds.rounded()))",
        ]
        if let id = context.useCase?.id { metadata["usecase.id"] = "\(id)" }
        if let variant = context.answeringVariant ?? context.variant { metadata["variant"] = "\(variant.name)" }
        if let key = context.principal?.keyID { metadata["key.id"] = "\(key)" }
        if let code = context.error?.code { metadata["error.code"] = "\(code.rawValue)" }
        metadata["trace.id"] = "\(context.trace.traceID)"
        // Where the time went: each stage, and the upstream attempts inside it.
        var timings: Logger.Metadata = [:]
        for (stage, milliseconds) in context.stageTimings { timings[stage] = "\((milliseconds * 1000).rounded() / 1000)" }
        metadata["timings_ms"] = .dictionary(timings)
        if !context.attempts.isEmpty {
            metadata["upstream_ms"] = "\((context.attempts.reduce(0) { $0 + $1.milliseconds } * 1000).rounded() / 1000)"
            metadata["attempts"] = "\(context.attempts.count)"
        }
        if let provider = context.lastResponse?.target.provider { metadata["provider.name"] = "\(provider)" }
        if context.ledgerError { metadata["ledger"] = "write_failed" }
        if context.ledgerDropped { metadata["ledger"] = "dropped_unauthenticated" }
        logger.info("invocation finished", metadata: metadata)
    }
}
