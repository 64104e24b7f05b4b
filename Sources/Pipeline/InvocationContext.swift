import Core
import Foundation
import Governance
import Guards

/// Everything one invocation carries through the stages. Each stage reads what earlier stages wrote
/// and adds its own typed fields; stages never call each other.
public struct InvocationContext: Sendable {
    public let id: String
    public let startedAt: Date
    public let start: ContinuousClock.Instant
    public var route: InvocationRoute
    public var streamed: Bool
    /// The W3C trace this invocation belongs to (the caller's, or a new one) and its server span.
    public var trace: TraceContext
    /// The trace id, as the ledger stores it.
    public var traceID: String? { trace.traceID }
    /// A span per stage run, parallel to `stageTimings`: its id and its start, in nanoseconds after `start`.
    public var stageSpans: [(spanID: String, startNanoseconds: Int64)] = []
    /// The span of the stage running now: upstream attempts are its children.
    public var currentSpanID: String

    // Request, as received.
    public var bearerToken: String?
    public var useCaseID: String?
    public var payload: InvocationPayload

    // Written by the stages.
    public var principal: Principal?
    public var useCase: UseCase?
    public var deadline: ContinuousClock.Instant
    public var input: JSONValue?
    public var callerContext: JSONValue?
    public var variant: Variant?
    public var answeringVariant: Variant?
    public var lastResponse: RoutedResponse?
    public var output: JSONValue?
    public var confidence: Double?
    public var usedFallback: Bool
    public var attempts: [AttemptRecord]
    public var usage: TokenUsage
    public var costUSD: Double
    public var decision: Decision?
    public var escalationReasons: [EscalationReason]
    public var error: GatewayError?
    public var stageTimings: [(stage: String, milliseconds: Double)]
    public var streamOutcome: String?
    /// A stage ended the invocation with a complete answer (a refusal); later stages do not run.
    public var finished = false
    /// The contract's refusal message when a guard refused (decision `refused`).
    public var refusalMessage: String?
    /// What the guards found: counts by PII type in the input and leaked in the output, the injection
    /// score and signals, the forbidden topic. Never the values.
    public var guardReport = GuardReport()
    /// Personal data found in each string of the input, by JSON path, for the per-provider action.
    public var inputPII: [String: [PIIFinding]] = [:]
    /// Pseudonyms handed to providers in this invocation (never logged).
    public var pseudonyms = Pseudonymizer()
    /// An action the model proposed (a tool call): `{"name", "arguments"}`.
    public var proposedAction: JSONValue?
    /// Admission: rate-limit state for the response headers, the budget reservation to settle, the cache.
    public var rateLimits: RateLimitSnapshot?
    public var reservation: BudgetAccountant.Reservation?
    public var budgetFallback = false
    public var cacheKey: String?
    public var cacheHit = false
    /// The cost a cache hit saved (what the answer cost when it was computed).
    public var savedCostUSD: Double = 0
    /// The concurrency slot held (released when the invocation is recorded), and the time waited for it.
    public var concurrencySlot: String?
    public var queueWaitMilliseconds: Double = 0
    /// A variant named by the caller (evaluations); `nil`: the contract's choice.
    public var requestedVariant: String?
    /// The ledger row could not be written.
    public var ledgerError: Bool = false
    /// The row of an unauthenticated rejection was not kept: the ledger queue was busy.
    public var ledgerDropped: Bool = false
    /// End-to-end time, fixed when the invocation is recorded.
    public var latencyMilliseconds: Double = 0

    public init(
        id: String = InvocationContext.newID(), route: InvocationRoute, streamed: Bool = false, bearerToken: String?,
        useCaseID: String?, payload: InvocationPayload, trace: TraceContext? = nil, start: ContinuousClock.Instant = .now
    ) {
        self.id = id
        self.startedAt = Date()
        self.start = start
        self.route = route
        self.streamed = streamed
        let trace = trace ?? TraceContext.incoming(nil)
        self.trace = trace
        self.currentSpanID = trace.spanID
        self.bearerToken = bearerToken
        self.useCaseID = useCaseID
        self.payload = payload
        self.deadline = start.advanced(by: .seconds(30))
        self.usedFallback = false
        self.attempts = []
        self.usage = TokenUsage()
        self.costUSD = 0
        self.escalationReasons = []
        self.stageTimings = []
    }

    /// Invocation ids are `inv_` + 24 hex characters: 12 of milliseconds since 1970, then 12 random.
    /// Unique without coordination across replicas, and in creation order, so the ledger's index on
    /// them grows at its end instead of touching a random page per row.
    public static func newID(now: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let random = IDSource.next() & 0xFFFF_FFFF_FFFF
        return "inv_" + Hex.fixedWidth(milliseconds, digits: 12) + Hex.fixedWidth(random, digits: 12)
    }

    /// The `traceparent` an upstream call made now sends (the router replaces the span with its attempt's).
    public var traceparent: String { trace.traceparent(spanID: currentSpanID) }

    /// Opens the span of a stage starting now (called by whoever runs stages).
    public mutating func beginStageSpan() {
        currentSpanID = TraceContext.newSpanID()
        stageSpans.append((currentSpanID, Int64((ContinuousClock.now - start).nanoseconds)))
    }

    public var elapsedMilliseconds: Double {
        (ContinuousClock.now - start).milliseconds
    }

    /// The HTTP status this invocation ends with.
    public var httpStatus: Int { error?.status ?? 200 }
}

/// The body of an invocation, before or after parsing.
public enum InvocationPayload: Sendable {
    /// Raw bytes of `POST /v1/usecases/{id}/invoke`: `{"input": {...}, "context": {...}}`.
    case invokeBody([UInt8])
    /// Input already taken from another request shape (chat completions).
    case input(JSONValue, context: JSONValue?)
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}

/// What the guards of one invocation found, as the ledger records it.
public struct GuardReport: Sendable, Hashable {
    public var inputPII: [String: Int] = [:]
    public var outputLeaks: [String: Int] = [:]
    public var injectionScore: Double?
    public var injectionSignals: [String] = []
    public var forbiddenTopic: String?
    public var piiAction: String?

    public init() {}

    public var isEmpty: Bool { self == GuardReport() }

    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if !inputPII.isEmpty { object["input_pii"] = .object(inputPII.mapValues { .number(Double($0)) }) }
        if !outputLeaks.isEmpty { object["output_pii_leaks"] = .object(outputLeaks.mapValues { .number(Double($0)) }) }
        if let injectionScore {
            object["injection"] = ["score": .number((injectionScore * 1000).rounded() / 1000), "signals": .array(injectionSignals.map(JSONValue.string))]
        }
        if let forbiddenTopic { object["forbidden_topic"] = .string(forbiddenTopic) }
        if let piiAction { object["pii_action"] = .string(piiAction) }
        return .object(object)
    }
}