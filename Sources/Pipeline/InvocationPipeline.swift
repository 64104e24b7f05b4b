import Core

/// The request flow of a use-case invocation, in order. This list is the one place the order lives.
///
/// Stages still to come (guard input, admit, retrieve, rollout, guard output beyond the schema) slot
/// into this list without touching the others.
public struct InvocationPipeline: Sendable {
    public static let stages: [any InvocationStage] = [
        AuthenticateStage(),  // API key -> principal; use case exists and is in scope
        ValidateInputStage(),  // body -> input; input JSON Schema
        GuardInputStage(),  // prompt injection, forbidden topics, personal data (block or note for the provider)
        SelectVariantStage(),  // stable variant (rollouts come later)
        AdmitStage(),  // rate limits, response cache, budget reservation of the largest possible cost
        CallModelStage(),  // provider chain with retries, breaker, failover; degraded mode; PII redacted or pseudonymized per provider
        ValidateOutputStage(),  // proposed actions; output JSON Schema, one repair attempt, then degraded mode
        GuardOutputStage(),  // pseudonyms restored; personal data the input did not contain is redacted
        DecideStage(),  // confidence, always-review, injection and approval rules -> decision
    ]

    public init() {}

    /// Runs every stage, then records the invocation whatever happened. Never throws: failures are
    /// in `context.error` and `context.decision`.
    public func run(_ context: InvocationContext, environment: PipelineEnvironment) async -> InvocationContext {
        var context = context
        for stage in Self.stages {
            context.beginStageSpan()
            let started = ContinuousClock.now
            do {
                try await stage.run(&context, environment)
                context.stageTimings.append((stage.name, (ContinuousClock.now - started).milliseconds))
                if context.finished { break }
            } catch {
                context.stageTimings.append((stage.name, (ContinuousClock.now - started).milliseconds))
                context.fail(with: error)
                break
            }
        }
        context.currentSpanID = context.trace.spanID
        await RecordStage().record(&context, environment)
        return context
    }
}

extension InvocationContext {
    /// Marks the invocation as stopped by `error`: `blocked` when it never reached a model, `failed` otherwise.
    public mutating func fail(with error: GatewayError) {
        self.error = error
        self.output = nil
        self.decision = attempts.isEmpty && error.status < 500 ? .blocked : .failed
    }
}
