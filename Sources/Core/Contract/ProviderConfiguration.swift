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
    /// At `maxConcurrency`, requests wait in a queue of this size (default: `maxConcurrency`) for at
    /// most `queueTimeoutMilliseconds` (and never past their deadline), then the next target is tried.
    public var queueSize: Int? = nil
    public var queueTimeoutMilliseconds: Int = 1000
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

    /// The model's configured prices, else the provider's configured prices, else the shipped
    /// list price of a well-known model, else free.
    public func prices(forModel model: String) -> Prices {
        if let configured = modelPrices[model] { return configured }
        if prices != .free { return prices }
        return kind == .local ? .free : (DefaultPrices.forModel(model) ?? .free)
    }

    public func mayReceive(_ dataClass: DataClass) -> Bool {
        kind == .local || dataClasses.contains(dataClass)
    }
}

/// Prices in US dollars per million tokens.
public struct Prices: Sendable, Hashable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double
    /// Price of input tokens read from the provider's prompt cache; the input price when unknown.
    public var cachedInputPerMillion: Double?

    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
    }

    public static let free = Prices(inputPerMillion: 0, outputPerMillion: 0)

    public func cost(_ usage: TokenUsage) -> Double {
        let cached = Double(min(usage.cachedInputTokens, usage.inputTokens))
        let fresh = Double(usage.inputTokens) - cached
        return (fresh * inputPerMillion + cached * (cachedInputPerMillion ?? inputPerMillion) + Double(usage.outputTokens) * outputPerMillion) / 1_000_000
    }
}

/// List prices (USD per million tokens: input, output, cached input) of common hosted models, used
/// when the configuration sets none. Published prices as of 2025; providers change them, so set
/// `prices` or `model_prices` in gatehouse.yaml for figures you bill by.
public enum DefaultPrices {
    static let table: [(prefix: String, prices: Prices)] = [
        ("gpt-4o-mini", Prices(inputPerMillion: 0.15, outputPerMillion: 0.60, cachedInputPerMillion: 0.075)),
        ("gpt-4o", Prices(inputPerMillion: 2.50, outputPerMillion: 10.00, cachedInputPerMillion: 1.25)),
        ("gpt-4.1-nano", Prices(inputPerMillion: 0.10, outputPerMillion: 0.40, cachedInputPerMillion: 0.025)),
        ("gpt-4.1-mini", Prices(inputPerMillion: 0.40, outputPerMillion: 1.60, cachedInputPerMillion: 0.10)),
        ("gpt-4.1", Prices(inputPerMillion: 2.00, outputPerMillion: 8.00, cachedInputPerMillion: 0.50)),
        ("o4-mini", Prices(inputPerMillion: 1.10, outputPerMillion: 4.40, cachedInputPerMillion: 0.275)),
        ("o3-mini", Prices(inputPerMillion: 1.10, outputPerMillion: 4.40, cachedInputPerMillion: 0.55)),
        ("claude-3-5-haiku", Prices(inputPerMillion: 0.80, outputPerMillion: 4.00, cachedInputPerMillion: 0.08)),
        ("claude-3-5-sonnet", Prices(inputPerMillion: 3.00, outputPerMillion: 15.00, cachedInputPerMillion: 0.30)),
        ("claude-3-7-sonnet", Prices(inputPerMillion: 3.00, outputPerMillion: 15.00, cachedInputPerMillion: 0.30)),
        ("claude-sonnet-4", Prices(inputPerMillion: 3.00, outputPerMillion: 15.00, cachedInputPerMillion: 0.30)),
        ("claude-opus-4", Prices(inputPerMillion: 15.00, outputPerMillion: 75.00, cachedInputPerMillion: 1.50)),
        ("claude-3-haiku", Prices(inputPerMillion: 0.25, outputPerMillion: 1.25, cachedInputPerMillion: 0.03)),
    ]

    /// The longest known model-name prefix wins (gpt-4o-mini before gpt-4o).
    public static func forModel(_ model: String) -> Prices? {
        table.filter { model.hasPrefix($0.prefix) }.max { $0.prefix.count < $1.prefix.count }?.prices
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
