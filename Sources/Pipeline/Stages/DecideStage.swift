import Core

/// Applies the contract's escalation rules: a confidence below the minimum or an always-review
/// condition sends the answer to a human (`escalated`); otherwise `answered`, or `fallback` when the
/// degraded mode answered.
public struct DecideStage: InvocationStage {
    public var name: String { "decide" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let useCase = context.useCase else { return }
        // Reasons set by earlier stages (an injection flag, an action needing approval) stay.
        var reasons = context.escalationReasons
        if let output = context.output {
            if let minimum = useCase.escalation.minConfidence, let confidence = context.confidence, confidence < minimum {
                reasons.append(.lowConfidence(confidence, threshold: minimum))
            }
            for condition in useCase.escalation.alwaysReview where condition.matches(output) {
                reasons.append(.alwaysReview(condition))
            }
        } else if context.proposedAction == nil {
            return
        }
        context.escalationReasons = reasons
        if !reasons.isEmpty {
            context.decision = .escalated
        } else {
            context.decision = context.usedFallback || context.budgetFallback ? .fallback : .answered
        }
    }
}
