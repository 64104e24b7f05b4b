import Core

/// Parses the invocation body and validates the input against the use case's input schema.
public struct ValidateInputStage: InvocationStage {
    public var name: String { "validate_input" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let useCase = context.useCase else { return }
        let input: JSONValue
        switch context.payload {
        case .invokeBody(let bytes):
            let body: JSONValue
            do {
                body = try JSONValue.parse(bytes)
            } catch {
                throw GatewayError.malformedJSON(error.reason)
            }
            guard case .object(let members) = body else {
                throw GatewayError.invalidRequest("The request body must be a JSON object with an 'input' object.", param: "$")
            }
            if let unknown = members.keys.sorted().first(where: { $0 != "input" && $0 != "context" && $0 != "variant" }) {
                throw GatewayError.invalidRequest(
                    "Unknown field '\(unknown)'; the body takes 'input', 'context' and 'variant'.", param: "$.\(unknown)")
            }
            if let pinned = members["variant"], !pinned.isNull {
                guard let name = pinned.stringValue else {
                    throw GatewayError.invalidRequest("'variant' must be a variant name.", param: "$.variant")
                }
                // Pinning bypasses the rollout's choice: evaluator and admin keys only.
                guard context.principal?.has(.pinVariant) == true else {
                    throw GatewayError.forbidden("This API key's role does not allow choosing the variant ('variant' needs the evaluator or admin role).")
                }
                context.requestedVariant = name
            }
            guard let value = members["input"] else {
                throw GatewayError.invalidInput("Missing required field 'input'.", path: "$.input")
            }
            if let callerContext = members["context"], !callerContext.isNull {
                guard case .object = callerContext else {
                    throw GatewayError.invalidRequest("'context' must be a JSON object.", param: "$.context")
                }
                context.callerContext = callerContext
            }
            input = value
        case .input(let value, let callerContext):
            input = value
            context.callerContext = callerContext
        }
        let violations = useCase.task.inputSchema.validate(input)
        if let first = violations.first {
            let path = "$.input" + first.path.dropFirst()
            let more = violations.count > 1 ? " (and \(violations.count - 1) more)" : ""
            throw GatewayError.invalidInput("Invalid input at \(path): \(first.message)\(more).", path: path)
        }
        context.input = input
    }
}
