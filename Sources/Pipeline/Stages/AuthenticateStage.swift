import Core

/// Authenticates the bearer token and checks that the use case exists and is in the key's scope.
///
/// A missing or unknown key is 401 before anything else, so the 404/403 answers reveal nothing to strangers.
public struct AuthenticateStage: InvocationStage {
    public var name: String { "authenticate" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let token = context.bearerToken, !token.isEmpty else { throw GatewayError.missingAPIKey }
        guard let principal = environment.authenticator.authenticate(bearerToken: token) else {
            throw GatewayError.invalidAPIKey
        }
        context.principal = principal
        guard let id = context.useCaseID else { return }
        guard let useCase = environment.configuration.useCase(id: id) else { throw GatewayError.unknownUseCase(id) }
        guard principal.mayInvoke(useCase: id) else {
            throw GatewayError.forbidden("This API key may not invoke this use case.")
        }
        context.useCase = useCase
        let milliseconds = useCase.limits.deadlineMilliseconds ?? environment.configuration.server.requestDeadlineMilliseconds
        context.deadline = context.start.advanced(by: .milliseconds(milliseconds))
    }
}
