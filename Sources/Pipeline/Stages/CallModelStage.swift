import Core

/// Calls the selected variant through the provider chain (retries, circuit breaker, failover targets).
/// When nothing in the chain can answer, the degraded mode takes over: the use case's fallback variant,
/// with decision `fallback`.
public struct CallModelStage: InvocationStage {
    public var name: String { "call_model" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let useCase = context.useCase, let variant = context.variant, let input = context.input, !context.cacheHit else { return }
        let caller = VariantCaller(useCase: useCase, environment: environment)
        let request = caller.request(for: variant, input: caller.preparedInput(for: variant, input: input, context: &context), traceparent: context.traceparent)
        do {
            _ = try await caller.call(request, variant: variant, context: &context)
            context.answeringVariant = variant
        } catch {
            guard !error.deadlineExceeded,
                let fallback = Self.fallbackVariant(of: useCase, excluding: variant)
            else { throw error.gatewayError }
            try await Self.runFallback(fallback, caller: caller, input: input, context: &context, primaryFailure: error)
        }
    }

    static func fallbackVariant(of useCase: UseCase, excluding variant: Variant) -> Variant? {
        guard let name = useCase.fallbackVariant, name != variant.name else { return nil }
        return useCase.variant(named: name)
    }

    /// Answers with the fallback variant; its failure is reported as the primary's (the caller asked for that).
    static func runFallback(
        _ fallback: Variant, caller: VariantCaller, input: JSONValue, context: inout InvocationContext,
        primaryFailure: RoutingFailure
    ) async throws(GatewayError) {
        let request = caller.request(for: fallback, input: caller.preparedInput(for: fallback, input: input, context: &context), traceparent: context.traceparent)
        do {
            _ = try await caller.call(request, variant: fallback, context: &context)
            context.answeringVariant = fallback
            context.usedFallback = true
        } catch {
            throw primaryFailure.gatewayError
        }
    }
}
