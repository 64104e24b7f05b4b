import Foundation

/// What the gateway decided for one invocation.
public enum Decision: String, Sendable, Hashable, CaseIterable, Codable {
    /// The stable (or routed) variant answered and passed every gate.
    case answered
    /// The degraded mode answered: the use case's fallback variant.
    case fallback
    /// A human must review the answer before it is acted on.
    case escalated
    /// The usage contract forbids answering.
    case refused
    /// A guard or limit stopped the request before any model was called.
    case blocked
    /// Nothing could produce a valid answer.
    case failed
}

/// The request route an invocation arrived on.
public enum InvocationRoute: String, Sendable, Hashable, Codable {
    case invoke
    case chatCompletions = "chat_completions"
    case passthrough
    /// An item of `gatehouse eval`: the production pipeline, not billed to budgets or rate limits.
    case evaluation
}

/// Why an answer was escalated.
public enum EscalationReason: Sendable, Hashable, CustomStringConvertible {
    case lowConfidence(Double, threshold: Double)
    case alwaysReview(FieldCondition)
    /// The injection guard's score reached the threshold and the contract says escalate.
    case injectionFlag(Double)
    /// The model proposed an action the contract marks as needing approval.
    case actionRequiresApproval(String)

    public var description: String {
        switch self {
        case .injectionFlag(let score):
            return "prompt-injection score \(String(format: "%.2f", score))"
        case .actionRequiresApproval(let name):
            return "action '\(name)' requires approval"
        case .lowConfidence(let c, let t):
            return "confidence \(String(format: "%.3f", c)) below \(t)"
        case .alwaysReview(let condition):
            return "always review: \(condition)"
        }
    }
}
