import Core
import HTTPTypes
import Hummingbird
import Pipeline

/// `POST /v1/usecases/{id}/invoke`: runs the pipeline and answers with the decision and output.
struct InvokeHandler: Sendable {
    let runtime: GatewayRuntime

    func handle(_ request: Request, useCaseID: String) async throws -> Response {
        let token = RequestBodyReader.bearerToken(request)
        let traceparent = request.headers[.traceparent]
        let snapshot = runtime.snapshot
        let body: [UInt8]
        do {
            body = try await RequestBodyReader.readJSONBody(request, limit: snapshot.configuration.server.maxBodyBytes)
        } catch {
            let id = await runtime.recordRejection(route: .invoke, useCaseID: useCaseID, bearerToken: token, error: error)
            throw HTTPGatewayError(error, invocationID: id)
        }
        let context = InvocationContext(
            route: .invoke, bearerToken: token, useCaseID: useCaseID, payload: .invokeBody(body),
            trace: TraceContext.incoming(traceparent, sampleRatio: snapshot.configuration.server.tracing?.sampleRatio ?? 1))
        let finished = await runtime.run(context, snapshot: snapshot)
        if let error = finished.error {
            throw HTTPGatewayError(error, invocationID: finished.id, extraHeaders: finished.errorHeaders)
        }
        return JSONResponse.ok(finished.invokeResponseBody, headers: finished.responseHeaders)
    }
}

extension InvocationContext {
    /// `{"invocation_id","use_case","variant","decision","output","confidence","usage","cost_usd","latency_ms"}`.
    var invokeResponseBody: JSONValue {
        var body: [String: JSONValue] = [
            "invocation_id": .string(id),
            "use_case": useCase.map { .string($0.id) } ?? .null,
            "variant": (answeringVariant ?? variant).map { .string($0.name) } ?? .null,
            "variant_version": (answeringVariant ?? variant).map { .string($0.version) } ?? .null,
            "decision": .string((decision ?? .failed).rawValue),
            "output": output ?? .null,
            "confidence": confidence.map { .number(($0 * 10000).rounded() / 10000) } ?? .null,
            "usage": [
                "input_tokens": .number(Double(usage.inputTokens)), "output_tokens": .number(Double(usage.outputTokens)),
                "estimated": .bool(usage.estimated),
            ],
            "cost_usd": .number(costUSD),
            "latency_ms": .number((latencyMilliseconds * 1000).rounded() / 1000),
        ]
        if !escalationReasons.isEmpty {
            body["escalation_reasons"] = .array(escalationReasons.map { .string($0.description) })
        }
        if let refusalMessage { body["message"] = .string(refusalMessage) }
        if let proposedAction {
            // Escalated: proposed for approval; answered: the action the contract allows; refused: not carried out.
            body[decision == .answered ? "action" : "proposed_action"] = proposedAction
        }
        if !guardReport.isEmpty { body["guards"] = guardReport.json }
        if cacheHit { body["cache"] = ["hit": true, "saved_cost_usd": .number(savedCostUSD)] }
        return .object(body)
    }

    /// Headers of an error answer: the decision (blocked, failed...) and the rate-limit state.
    var errorHeaders: HTTPFields {
        var headers = RateLimitHeaders.fields(rateLimits)
        if let decision { headers[.decision] = decision.rawValue }
        return headers
    }

    var responseHeaders: HTTPFields {
        var headers: HTTPFields = [.invocationID: id]
        if let decision { headers[.decision] = decision.rawValue }
        headers.append(contentsOf: RateLimitHeaders.fields(rateLimits))
        if cacheHit { headers[.cacheStatus] = "hit" }
        return headers
    }
}
