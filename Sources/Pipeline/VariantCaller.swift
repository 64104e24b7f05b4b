import Core
import Guards

/// Turns a variant and an input into a routed model call, and a model answer into output JSON.
///
/// Shared by the call-model stage (first call, degraded mode) and the output stage (repair attempt).
struct VariantCaller {
    var useCase: UseCase
    var environment: PipelineEnvironment

    /// The provider targets to try in order for this variant.
    func targets(for variant: Variant) -> [ProviderTarget] {
        switch variant.engine {
        case .local:
            return [ProviderTarget(provider: variant.provider, model: localModelKey(variant))]
        case .model(let model):
            return [ProviderTarget(provider: variant.provider, model: model.model)] + model.failover
        }
    }

    func localModelKey(_ variant: Variant) -> String { "\(useCase.id)/\(variant.name)" }

    /// The input as this variant's provider may receive it: personal data redacted or replaced by
    /// stable pseudonyms per the stricter of the use case's and the provider's PII action.
    func preparedInput(for variant: Variant, input: JSONValue, context: inout InvocationContext) -> JSONValue {
        guard !context.inputPII.isEmpty else { return input }
        let provider = environment.configuration.provider(named: variant.provider)
        let action = CallModelStage.piiAction(useCase: useCase, provider: provider)
        context.guardReport.piiAction = action.rawValue
        let findings = context.inputPII
        switch action {
        case .allow, .block:
            return input
        case .redact:
            return JSONStrings.mapWithPath(input) { path, text in findings[path].map { PIIRedaction.redact(text, $0) } ?? text }
        case .pseudonymize:
            var table = context.pseudonyms
            let result = JSONStrings.mapWithPath(input) { path, text in findings[path].map { table.pseudonymize(text, $0) } ?? text }
            context.pseudonyms = table
            return result
        }
    }

    func request(for variant: Variant, input: JSONValue, traceparent: String?) -> ModelRequest {
        switch variant.engine {
        case .local:
            return ModelRequest(model: localModelKey(variant), messages: [], input: input, traceparent: traceparent)
        case .model(let model):
            var messages: [ChatMessage] = []
            if let system = model.systemPrompt { messages.append(.system(system.render(input))) }
            messages.append(.user(model.prompt.render(input)))
            // The contract's actions are offered as tools; what the model proposes is checked after the call.
            let tools: JSONValue? = useCase.usage.actions.isEmpty ? nil : .array(useCase.usage.actions.map { action in
                [
                    "type": "function",
                    "function": [
                        "name": .string(action.name),
                        "description": .string("Action '\(action.name)' of the \(useCase.id) use case\(action.requiresApproval ? " (needs human approval)" : "")."),
                        "parameters": ["type": "object"],
                    ],
                ]
            })
            return ModelRequest(
                model: model.model, messages: messages, parameters: model.parameters, tools: tools,
                responseFormat: responseFormat(model.parameters.responseFormat), input: input, traceparent: traceparent)
        }
    }

    private func responseFormat(_ name: String?) -> JSONValue? {
        switch name {
        case "json_object": return ["type": "json_object"]
        case "json_schema":
            return [
                "type": "json_schema",
                "json_schema": ["name": .string(useCase.id.replacingOccurrences(of: "-", with: "_")), "schema": useCase.task.outputSchema.root],
            ]
        default: return nil
        }
    }

    /// The targets whose provider may receive the use case's input class. `gatehouse check` already
    /// rejects a contract that routes data where it may not go; this is the same rule at run time, so a
    /// configuration built another way still cannot leak (defence in depth).
    func clearedTargets(for variant: Variant) throws(RoutingFailure) -> [ProviderTarget] {
        let dataClass = useCase.dataPolicy.inputClassification
        let cleared = targets(for: variant).filter { target in
            environment.configuration.provider(named: target.provider)?.mayReceive(dataClass) ?? false
        }
        guard !cleared.isEmpty else {
            throw RoutingFailure(
                lastError: .notConfigured("no provider of variant '\(variant.name)' is cleared for \(dataClass.rawValue) data"),
                attempts: [], deadlineExceeded: false)
        }
        return cleared
    }

    /// Calls the variant through the router and adds the attempts, usage and cost to the context.
    func call(_ request: ModelRequest, variant: Variant, context: inout InvocationContext) async throws(RoutingFailure) -> RoutedResponse {
        do {
            let routed = try await environment.router.complete(request, targets: clearedTargets(for: variant), deadline: context.deadline)
            context.attempts += routed.attempts
            context.usage = context.usage + routed.response.usage
            if let provider = environment.configuration.provider(named: routed.target.provider) {
                context.costUSD += provider.prices(forModel: routed.target.model).cost(routed.response.usage)
            }
            context.lastResponse = routed
            return routed
        } catch {
            context.attempts += error.attempts
            throw error
        }
    }

    /// Output JSON of a model answer: structured output from engines that give it, otherwise the JSON
    /// object in the text (code fences and surrounding prose tolerated), with derived fields applied.
    func output(of response: ModelResponse) -> Result<JSONValue, OutputProblem> {
        var value: JSONValue
        if let structured = response.structuredOutput {
            value = structured
        } else if let text = response.content, let parsed = Self.extractJSONObject(text) {
            value = parsed
        } else {
            return .failure(OutputProblem(message: "the answer is not a JSON object"))
        }
        if case .object(var members) = value {
            for rule in useCase.task.derived {
                if let source = members[rule.from]?.stringValue, let mapped = rule.map[source] {
                    members[rule.field] = .string(mapped)
                }
            }
            value = .object(members)
        }
        let violations = useCase.task.outputSchema.validate(value)
        if !violations.isEmpty {
            return .failure(OutputProblem(message: violations.prefix(5).map(\.description).joined(separator: "; ")))
        }
        return .success(value)
    }

    static func extractJSONObject(_ text: String) -> JSONValue? {
        if let value = try? JSONValue.parse(text), case .object = value { return value }
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close else { return nil }
        if let value = try? JSONValue.parse(String(text[open...close])), case .object = value { return value }
        return nil
    }
}

struct OutputProblem: Error {
    var message: String
}
