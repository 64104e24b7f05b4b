import Core

/// Authenticates the bearer token and checks the key's role, scope and clearance for the use case.
///
/// A missing or unknown key is 401 before anything else. Scope is checked before existence: a key
/// gets the same 403 for a use case outside its scope whether or not it exists, so it cannot map what
/// lies outside its scope; only an in-scope (or admin) key learns that an id is unknown (404).
public struct AuthenticateStage: InvocationStage {
    public var name: String { "authenticate" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        let principal: Principal
        if let known = context.principal {
            principal = known  // authenticated by the route already (one store lookup per request)
        } else {
            guard let token = context.bearerToken, !token.isEmpty else { throw GatewayError.missingAPIKey }
            guard let found = try await environment.authenticator.authenticate(bearerToken: token) else {
                throw GatewayError.invalidAPIKey
            }
            principal = found
            context.principal = principal
        }
        guard let id = context.useCaseID else { return }
        try principal.authorize(.invoke, useCase: id)
        guard let useCase = environment.configuration.useCase(id: id) else { throw GatewayError.unknownUseCase(id) }
        try principal.authorize(dataClass: useCase.dataPolicy.inputClassification)
        context.useCase = useCase
        let milliseconds = useCase.limits.deadlineMilliseconds ?? environment.configuration.server.requestDeadlineMilliseconds
        context.deadline = context.start.advanced(by: .milliseconds(milliseconds))
    }
}
