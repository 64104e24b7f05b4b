import Core

/// Checks the answer against the output schema. An LLM gets one repair attempt that shows it the
/// validation errors; if the answer is still invalid the degraded mode answers, else the call fails (502).
public struct ValidateOutputStage: InvocationStage {
    public var name: String { "validate_output" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let useCase = context.useCase, let variant = context.answeringVariant,
            let routed = context.lastResponse, let input = context.input
        else { return }
        let caller = VariantCaller(useCase: useCase, environment: environment)
        switch caller.output(of: routed.response) {
        case .success(let output):
            accept(output, response: routed.response, context: &context)
            return
        case .failure(let problem):
            if case .model = variant.engine,
                let repaired = await repair(variant, problem: problem, previous: routed.response, input: input, caller: caller, context: &context)
            {
                accept(repaired.0, response: repaired.1, context: &context)
                return
            }
            let invalid = GatewayError(
                status: 502, code: .invalidModelOutput,
                message: "The model's answer did not satisfy the output schema: \(problem.message)")
            guard !context.usedFallback, let fallback = CallModelStage.fallbackVariant(of: useCase, excluding: variant) else {
                throw invalid
            }
            let failure = RoutingFailure(lastError: .malformedResponse(problem.message), attempts: [], deadlineExceeded: false)
            do {
                try await CallModelStage.runFallback(fallback, caller: caller, input: input, context: &context, primaryFailure: failure)
            } catch {
                throw invalid
            }
            guard let fallbackResponse = context.lastResponse, case .success(let output) = caller.output(of: fallbackResponse.response) else {
                throw invalid
            }
            accept(output, response: fallbackResponse.response, context: &context)
        }
    }

    private func accept(_ output: JSONValue, response: ModelResponse, context: inout InvocationContext) {
        context.output = output
        if let confidence = response.confidence {
            context.confidence = confidence
        } else if let stated = output["confidence"]?.numberValue, (0...1).contains(stated) {
            context.confidence = stated
        }
    }

    private func repair(
        _ variant: Variant, problem: OutputProblem, previous: ModelResponse, input: JSONValue, caller: VariantCaller,
        context: inout InvocationContext
    ) async -> (JSONValue, ModelResponse)? {
        var request = caller.request(for: variant, input: input, traceparent: context.traceID)
        request.messages.append(.assistant(previous.content ?? ""))
        request.messages.append(
            .user(
                "Your answer was rejected: \(problem.message). Reply again with only one JSON object that satisfies this JSON Schema: \(caller.useCase.task.outputSchema.root.compactJSONString())"
            ))
        guard let routed = try? await caller.call(request, variant: variant, context: &context) else { return nil }
        guard case .success(let output) = caller.output(of: routed.response) else { return nil }
        return (output, routed.response)
    }
}
