/// A model endpoint and how to reach it safely.
public struct ProviderConfiguration: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case openAICompatible = "openai-compatible"
        case anthropic
        case local
    }

    public var name: String
    public var kind: Kind
    public var baseURL: String?
    public var credential: SecretReference?
    public var region: String?
    /// Data classes this provider may receive. Local providers receive everything.
    public var dataClasses: [DataClass]
    /// What to do with personal data sent to this provider; the stricter of this and the use case's
    /// `pii_action` applies. `nil`: the use case's action (for remote providers; the in-process local
    /// engine receives the input as is unless set here).
    public var piiAction: DataPolicy.PIIAction? = nil
    public var prices: Prices
    /// Per-model price overrides, keyed by model name.
    public var modelPrices: [String: Prices]
    /// Timeout of one attempt (connect + full answer).
    public var timeoutMilliseconds: Int
    public var maxConcurrency: Int
    public var retry: RetryPolicy
    public var circuitBreaker: CircuitBreakerPolicy
    /// Longest silence allowed between two chunks of a stream before it is declared stalled.
    public var streamStallMilliseconds: Int
    /// Extra static headers (for example an API version); values may not hold secrets.
    public var headers: [String: String]

    public init(
        name: String, kind: Kind, baseURL: String? = nil, credential: SecretReference? = nil, region: String? = nil,
        dataClasses: [DataClass] = DataClass.allCases, prices: Prices = .free, modelPrices: [String: Prices] = [:],
        timeoutMilliseconds: Int = 30_000, maxConcurrency: Int = 64, retry: RetryPolicy = .init(),
        circuitBreaker: CircuitBreakerPolicy = .init(), streamStallMilliseconds: Int = 15_000,
        headers: [String: String] = [:]
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.credential = credential
        self.region = region
        self.dataClasses = dataClasses
        self.prices = prices
        self.modelPrices = modelPrices
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxConcurrency = maxConcurrency
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.streamStallMilliseconds = streamStallMilliseconds
        self.headers = headers
    }

    public func prices(forModel model: String) -> Prices {
        modelPrices[model] ?? prices
    }

    public func mayReceive(_ dataClass: DataClass) -> Bool {
        kind == .local || dataClasses.contains(dataClass)
    }
}

/// Prices in US dollars per million tokens.
public struct Prices: Sendable, Hashable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    public static let free = Prices(inputPerMillion: 0, outputPerMillion: 0)

    public func cost(_ usage: TokenUsage) -> Double {
        (Double(usage.inputTokens) * inputPerMillion + Double(usage.outputTokens) * outputPerMillion) / 1_000_000
    }
}

public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per provider, the first one included.
    public var maxAttempts: Int
    public var baseDelayMilliseconds: Int
    public var maxDelayMilliseconds: Int

    public init(maxAttempts: Int = 3, baseDelayMilliseconds: Int = 200, maxDelayMilliseconds: Int = 5_000) {
        self.maxAttempts = maxAttempts
        self.baseDelayMilliseconds = baseDelayMilliseconds
        self.maxDelayMilliseconds = maxDelayMilliseconds
    }
}

public struct CircuitBreakerPolicy: Sendable, Hashable {
    /// Consecutive failed attempts that open the circuit.
    public var failureThreshold: Int
    /// How long the circuit stays open before one probe is let through.
    public var openMilliseconds: Int

    public init(failureThreshold: Int = 5, openMilliseconds: Int = 30_000) {
        self.failureThreshold = failureThreshold
        self.openMilliseconds = openMilliseconds
    }
}
