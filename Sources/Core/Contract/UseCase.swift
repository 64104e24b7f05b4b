/// A production contract: one job-to-be-done with its owners, scope, gates and figures.
public struct UseCase: Sendable {
    public var id: String
    public var title: String
    public var purpose: String
    public var owners: Owners
    public var riskTier: RiskTier
    public var task: TaskSpecification
    public var usage: UsagePolicy
    public var dataPolicy: DataPolicy
    public var guards: GuardPolicy = GuardPolicy()
    public var cache: CachePolicy?
    public var variants: [Variant]
    public var stableVariant: String
    public var fallbackVariant: String?
    public var escalation: EscalationPolicy
    public var slos: ServiceLevelObjectives
    public var budget: BudgetPolicy?
    public var limits: UsageLimits
    public var kpis: [KPI]
    public var evaluation: EvaluationPolicy?
    /// Absolute path of the use case's folder (prompts and datasets are relative to it).
    public var directory: String

    public init(
        id: String, title: String, purpose: String, owners: Owners, riskTier: RiskTier, task: TaskSpecification,
        usage: UsagePolicy, dataPolicy: DataPolicy, variants: [Variant], stableVariant: String,
        fallbackVariant: String?, escalation: EscalationPolicy, slos: ServiceLevelObjectives,
        budget: BudgetPolicy?, limits: UsageLimits, kpis: [KPI], evaluation: EvaluationPolicy?, directory: String
    ) {
        self.id = id
        self.title = title
        self.purpose = purpose
        self.owners = owners
        self.riskTier = riskTier
        self.task = task
        self.usage = usage
        self.dataPolicy = dataPolicy
        self.variants = variants
        self.stableVariant = stableVariant
        self.fallbackVariant = fallbackVariant
        self.escalation = escalation
        self.slos = slos
        self.budget = budget
        self.limits = limits
        self.kpis = kpis
        self.evaluation = evaluation
        self.directory = directory
    }

    public func variant(named name: String) -> Variant? {
        variants.first { $0.name == name }
    }
}

public struct Owners: Sendable, Hashable {
    public var business: String
    public var technical: String
    public var onCallWebhook: String?
    public init(business: String, technical: String, onCallWebhook: String?) {
        self.business = business
        self.technical = technical
        self.onCallWebhook = onCallWebhook
    }
}

public enum RiskTier: String, Sendable, Hashable, CaseIterable {
    case minimal, limited, high
}

public struct TaskSpecification: Sendable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case classify, extract, generate, answer
    }

    public var kind: Kind
    public var inputSchema: JSONSchema
    public var outputSchema: JSONSchema
    /// Allowed labels per output field (classify tasks).
    public var labels: [String: [String]]
    /// Output fields computed by a fixed mapping from another output field, applied after every model.
    public var derived: [DerivedField]

    public init(
        kind: Kind, inputSchema: JSONSchema, outputSchema: JSONSchema, labels: [String: [String]],
        derived: [DerivedField]
    ) {
        self.kind = kind
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.labels = labels
        self.derived = derived
    }
}

public struct DerivedField: Sendable, Hashable {
    public var field: String
    public var from: String
    public var map: [String: String]
    public init(field: String, from: String, map: [String: String]) {
        self.field = field
        self.from = from
        self.map = map
    }
}

/// The usage contract: what the AI may talk about and do.
public struct UsagePolicy: Sendable, Hashable {
    public struct Action: Sendable, Hashable {
        public var name: String
        public var requiresApproval: Bool
        public init(name: String, requiresApproval: Bool) {
            self.name = name
            self.requiresApproval = requiresApproval
        }
    }

    public var allowedTopics: [String]
    public var forbiddenTopics: [String]
    /// Phrases that mark each forbidden topic (the topic's own name when none are given), matched
    /// case- and accent-insensitively on whole words.
    public var topicKeywords: [String: [String]] = [:]
    public var refusalMessage: String?
    public var actions: [Action]

    public init(
        allowedTopics: [String] = [], forbiddenTopics: [String] = [], refusalMessage: String? = nil,
        actions: [Action] = []
    ) {
        self.allowedTopics = allowedTopics
        self.forbiddenTopics = forbiddenTopics
        self.refusalMessage = refusalMessage
        self.actions = actions
    }
}

/// Opt-in response cache: exact match on variant version and normalised input, for deterministic
/// variants only (temperature 0, or a local model).
public struct CachePolicy: Sendable, Hashable {
    public var ttlSeconds: Int
    public var maxEntries: Int

    public init(ttlSeconds: Int = 3600, maxEntries: Int = 10_000) {
        self.ttlSeconds = ttlSeconds
        self.maxEntries = maxEntries
    }
}

/// The guards of a use case beyond its data policy.
public struct GuardPolicy: Sendable, Hashable {
    public enum InjectionAction: String, Sendable, Hashable, CaseIterable {
        /// Refuse the request (422, decision `blocked`).
        case block
        /// Answer, and record the finding in the ledger.
        case flag
        /// Answer, but send the result to human review (decision `escalated`).
        case escalate
    }

    /// Injection score at or above which the action applies.
    public var injectionThreshold: Double = 0.5
    public var injectionAction: InjectionAction = .block
    /// Also scan the string values of the request's `context` (quoted or retrieved content).
    public var scanContext: Bool = true
    /// Personal data in the output that was not in the input is redacted and counted.
    public var piiLeakCheck: Bool = true

    public init() {}
}

public struct DataPolicy: Sendable, Hashable {
    public enum PIIAction: String, Sendable, Hashable, CaseIterable {
        case allow, redact, pseudonymize, block
    }

    public enum PayloadLogging: String, Sendable, Hashable, CaseIterable {
        case none, hashed, redacted, full
    }

    public var inputClassification: DataClass
    public var piiAction: PIIAction
    public var payloadLogging: PayloadLogging
    public var retentionDays: Int

    public init(inputClassification: DataClass, piiAction: PIIAction, payloadLogging: PayloadLogging, retentionDays: Int) {
        self.inputClassification = inputClassification
        self.piiAction = piiAction
        self.payloadLogging = payloadLogging
        self.retentionDays = retentionDays
    }
}

/// When a human must look at an answer instead of the caller acting on it.
public struct EscalationPolicy: Sendable, Hashable {
    public var minConfidence: Double?
    public var alwaysReview: [FieldCondition]
    /// How long an escalated item may wait for a reviewer before the on-call webhook is alerted.
    public var reviewSLASeconds: Int? = nil
    public init(minConfidence: Double? = nil, alwaysReview: [FieldCondition] = []) {
        self.minConfidence = minConfidence
        self.alwaysReview = alwaysReview
    }
}

/// A test on one output field, e.g. `priority equals urgent`.
public struct FieldCondition: Sendable, Hashable, CustomStringConvertible {
    public enum Test: Sendable, Hashable {
        case equals(JSONValue)
        case notEquals(JSONValue)
        case oneOf([JSONValue])
    }

    public var field: String
    public var test: Test

    public init(field: String, test: Test) {
        self.field = field
        self.test = test
    }

    public func matches(_ output: JSONValue) -> Bool {
        let value = output[field] ?? .null
        switch test {
        case .equals(let expected): return value == expected
        case .notEquals(let expected): return value != expected
        case .oneOf(let options): return options.contains(value)
        }
    }

    public var description: String {
        switch test {
        case .equals(let v): return "\(field) equals \(v.compactJSONString())"
        case .notEquals(let v): return "\(field) not equals \(v.compactJSONString())"
        case .oneOf(let v): return "\(field) in \(JSONValue.array(v).compactJSONString())"
        }
    }
}

public struct ServiceLevelObjectives: Sendable, Hashable {
    public var latencyP95Milliseconds: Int?
    public var errorRate: Double?
    public var qualityMinimums: [String: Double]
    public var costPerRequestUSD: Double?
    public init(
        latencyP95Milliseconds: Int? = nil, errorRate: Double? = nil, qualityMinimums: [String: Double] = [:],
        costPerRequestUSD: Double? = nil
    ) {
        self.latencyP95Milliseconds = latencyP95Milliseconds
        self.errorRate = errorRate
        self.qualityMinimums = qualityMinimums
        self.costPerRequestUSD = costPerRequestUSD
    }
}

public struct BudgetPolicy: Sendable, Hashable {
    public enum OnExceed: String, Sendable, Hashable, CaseIterable {
        case reject, fallback
    }

    public var dailyUSD: Double?
    public var monthlyUSD: Double?
    public var onExceed: OnExceed
    public var alertThresholds: [Double]
    /// IANA time zone of the day and month windows (UTC by default).
    public var timeZone: String = "UTC"

    public init(dailyUSD: Double?, monthlyUSD: Double?, onExceed: OnExceed, alertThresholds: [Double]) {
        self.dailyUSD = dailyUSD
        self.monthlyUSD = monthlyUSD
        self.onExceed = onExceed
        self.alertThresholds = alertThresholds
    }
}

public struct UsageLimits: Sendable, Hashable {
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    public var concurrency: Int?
    /// Requests that may pass at once before `rpm` applies (default: one second's worth).
    public var burst: Int? = nil
    /// Requests that may wait for a concurrency slot (default: twice `concurrency`), and for how long.
    public var queueSize: Int? = nil
    public var queueTimeoutMilliseconds: Int? = nil
    /// Overall deadline of one invocation, all attempts and fallbacks included.
    public var deadlineMilliseconds: Int?
    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, concurrency: Int? = nil, deadlineMilliseconds: Int? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.concurrency = concurrency
        self.deadlineMilliseconds = deadlineMilliseconds
    }
}

public struct KPI: Sendable, Hashable {
    public var name: String
    public var baseline: Double?
    public var target: Double
    public init(name: String, baseline: Double?, target: Double) {
        self.name = name
        self.baseline = baseline
        self.target = target
    }
}

public struct EvaluationPolicy: Sendable, Hashable {
    public var dataset: String
    public var gates: [EvaluationGate]
    public init(dataset: String, gates: [EvaluationGate]) {
        self.dataset = dataset
        self.gates = gates
    }
}

/// A go/no-go condition such as `accuracy >= 0.9`.
public struct EvaluationGate: Sendable, Hashable, CustomStringConvertible {
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case greaterOrEqual = ">="
        case lessOrEqual = "<="
        case greater = ">"
        case less = "<"
        case equal = "=="
    }

    public static let knownMetrics: [String] = [
        "accuracy", "macro_f1", "schema_valid", "latency_p50_ms", "latency_p95_ms", "cost_per_item_usd",
        "escalation_rate", "fallback_rate", "refusal_correctness", "exact_match", "field_f1", "groundedness",
        "expected_calibration_error",
    ]

    public var metric: String
    public var comparison: Comparison
    public var threshold: Double

    public init(metric: String, comparison: Comparison, threshold: Double) {
        self.metric = metric
        self.comparison = comparison
        self.threshold = threshold
    }

    public func passes(_ value: Double) -> Bool {
        switch comparison {
        case .greaterOrEqual: return value >= threshold
        case .lessOrEqual: return value <= threshold
        case .greater: return value > threshold
        case .less: return value < threshold
        case .equal: return value == threshold
        }
    }

    public var description: String { "\(metric) \(comparison.rawValue) \(threshold)" }
}
