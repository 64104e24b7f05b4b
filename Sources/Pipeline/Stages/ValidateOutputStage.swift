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
        if let call = Self.firstToolCall(routed.response.toolCalls) {
            try checkAction(call, useCase: useCase, context: &context)
            return
        }
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

    /// `{"name", "arguments"}` of the first tool call of an answer, in OpenAI's or Anthropic's shape.
    static func firstToolCall(_ toolCalls: JSONValue?) -> JSONValue? {
        guard let first = toolCalls?.arrayValue?.first else { return nil }
        let name = first["function"]?["name"]?.stringValue ?? first["name"]?.stringValue
        guard let name else { return nil }
        var arguments = first["function"]?["arguments"] ?? first["input"] ?? .object([:])
        if let text = arguments.stringValue, let parsed = try? JSONValue.parse(text) { arguments = parsed }
        return ["name": .string(name), "arguments": arguments]
    }

    /// A proposed action is checked against the contract: an action outside it is refused; one that
    /// needs approval goes to review carrying the proposal, instead of being returned as done.
    private func checkAction(_ call: JSONValue, useCase: UseCase, context: inout InvocationContext) throws(GatewayError) {
        let name = call["name"]?.stringValue ?? ""
        context.proposedAction = call
        guard let action = useCase.usage.actions.first(where: { $0.name == name }) else {
            context.refusalMessage = "The model proposed an action outside this use case's contract ('\(name.prefix(64))'); it was not carried out."
            context.decision = .refused
            context.finished = true
            return
        }
        if action.requiresApproval {
            context.escalationReasons.append(.actionRequiresApproval(name))
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
        var request = caller.request(for: variant, input: caller.preparedInput(for: variant, input: input, context: &context), traceparent: context.traceparent)
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
