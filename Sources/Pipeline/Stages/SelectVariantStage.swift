import Core

/// Picks the variant that answers. For now the stable variant; rollouts add canary and shadow here.
public struct SelectVariantStage: InvocationStage {
    public var name: String { "select_variant" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let useCase = context.useCase else { return }
        // Evaluations name the variant they measure.
        if let requested = context.requestedVariant {
            guard let variant = useCase.variant(named: requested) else {
                throw GatewayError.invalidRequest("unknown variant '\(requested)' of use case '\(useCase.id)'", param: "variant")
            }
            context.variant = variant
            return
        }
        guard let variant = useCase.variant(named: useCase.stableVariant) else {
            throw GatewayError(status: 503, code: .providerUnavailable, message: "The use case has no stable variant.")
        }
        context.variant = variant
    }
}
