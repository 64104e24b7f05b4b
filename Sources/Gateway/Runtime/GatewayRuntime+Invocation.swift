import Core
import Hummingbird
import Logging
import Pipeline

extension GatewayRuntime {
    /// Runs the use-case pipeline and logs one line for the invocation (no payloads, no secrets).
    public func run(_ context: InvocationContext) async -> InvocationContext {
        await run(context, snapshot: snapshot)
    }

    /// Runs the use-case pipeline under `snapshot`, the one the request read its settings from.
    func run(_ context: InvocationContext, snapshot: Snapshot) async -> InvocationContext {
        metrics.inFlight.increment()
        let finished = await pipeline.run(context, environment: snapshot.environment)
        metrics.inFlight.decrement()
        log(finished, knownModels: snapshot.knownModels)
        return finished
    }

    /// Records a request rejected before the pipeline could run (body too large, wrong content type, bad JSON).
    @discardableResult
    func recordRejection(route: InvocationRoute, useCaseID: String?, bearerToken: String?, error: GatewayError) async -> String {
        let snapshot = snapshot
        var context = InvocationContext(route: route, bearerToken: bearerToken, useCaseID: useCaseID, payload: .invokeBody([]))
        if let token = bearerToken {
            context.principal = try? await snapshot.environment.authenticator.authenticate(bearerToken: token)
        }
        context.useCase = useCaseID.flatMap { snapshot.configuration.useCase(id: $0) }
        context.fail(with: error)
        await RecordStage().record(&context, snapshot.environment)
        log(context, knownModels: snapshot.knownModels)
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

    /// Logs one line for a finished invocation and records its metrics (model labels limited to
    /// `knownModels`, those of the snapshot the request ran under).
    func log(_ context: InvocationContext, knownModels: Set<String>) {
        metrics.observe(context, knownModels: knownModels)
        traces.record(context)
        // Built only when it will be written.
        guard logger.logLevel <= .info else { return }
        // Keys in the order of the rest of the line (sorted); numbers are JSON numbers.
        var fields = LogFields()
        if context.attempts.count > 0 { fields.add("attempts", number: Double(context.attempts.count)) }
        fields.add("decision", (context.decision ?? .failed).rawValue)
        if let code = context.error?.code { fields.add("error.code", code.rawValue) }
        fields.add("http.status", number: Double(context.httpStatus))
        fields.add("invocation.id", context.id)
        if let key = context.principal?.keyID { fields.add("key.id", key) }
        fields.add("latency_ms", number: Self.roundedToMicroseconds(context.latencyMilliseconds))
        if context.ledgerError {
            fields.add("ledger", "write_failed")
        } else if context.ledgerDropped {
            fields.add("ledger", "dropped_unauthenticated")
        }
        if let provider = context.lastResponse?.target.provider { fields.add("provider.name", provider) }
        fields.add("route", context.route.rawValue)
        // Where the time went: each stage, and the upstream attempts inside it.
        var timings = LogFields()
        for (stage, milliseconds) in context.stageTimings { timings.add(stage, number: Self.roundedToMicroseconds(milliseconds)) }
        fields.add("timings_ms", object: timings)
        fields.add("trace.id", context.trace.traceID)
        if !context.attempts.isEmpty {
            fields.add("upstream_ms", number: Self.roundedToMicroseconds(context.attempts.reduce(0) { $0 + $1.milliseconds }))
        }
        if let id = context.useCase?.id { fields.add("usecase.id", id) }
        if let variant = context.answeringVariant ?? context.variant { fields.add("variant", variant.name) }
        logger.info("invocation finished", metadata: ["request": .stringConvertible(fields)])
    }

    static func roundedToMicroseconds(_ milliseconds: Double) -> Double {
        (milliseconds * 1000).rounded() / 1000
    }
}
