import Core
import Foundation
import Governance

/// An answer kept by the response cache.
public struct CachedAnswer: Sendable {
    public var output: JSONValue
    public var confidence: Double?
    public var costUSD: Double
    public var variant: String
}

/// What governs admission: rate limits, budgets, the response cache, and where budget alerts go.
public struct GovernanceSet: Sendable {
    public var limiter: RateLimiter
    public var budgets: BudgetAccountant
    public var gate: ConcurrencyGate = ConcurrencyGate()
    public var caches: [String: ResponseCache<CachedAnswer>]
    /// Budgets of teams and keys (`team:<name>`, `key:<id>`), from gatehouse.yaml.
    public var principalCaps: [String: [BudgetAccountant.Cap]]
    /// Default rate limits of every key (requests and tokens per minute).
    public var keyRequestLimit: RateLimiter.Limit?
    public var keyTokenLimit: RateLimiter.Limit?
    /// Called with the thresholds a settlement crossed (alerts go out from here).
    public var onCrossing: @Sendable ([BudgetAccountant.Crossing], String?) -> Void

    public init(
        limiter: RateLimiter = RateLimiter(), budgets: BudgetAccountant = BudgetAccountant(), caches: [String: ResponseCache<CachedAnswer>] = [:],
        principalCaps: [String: [BudgetAccountant.Cap]] = [:], keyRequestLimit: RateLimiter.Limit? = nil, keyTokenLimit: RateLimiter.Limit? = nil,
        onCrossing: @escaping @Sendable ([BudgetAccountant.Crossing], String?) -> Void = { _, _ in }
    ) {
        self.limiter = limiter
        self.budgets = budgets
        self.caches = caches
        self.principalCaps = principalCaps
        self.keyRequestLimit = keyRequestLimit
        self.keyTokenLimit = keyTokenLimit
        self.onCrossing = onCrossing
    }

    /// The caps of a use case's contract.
    public static func caps(of useCase: UseCase) -> [BudgetAccountant.Cap] {
        guard let budget = useCase.budget else { return [] }
        return caps(scope: "usecase:\(useCase.id)", budget: budget)
    }

    /// Daily and monthly caps of one budget.
    public static func caps(scope: String, budget: BudgetPolicy) -> [BudgetAccountant.Cap] {
        let zone = TimeZone(identifier: budget.timeZone) ?? .utc
        var caps: [BudgetAccountant.Cap] = []
        if let daily = budget.dailyUSD {
            caps.append(.init(scope: scope, window: .day, limit: Nanodollars(usd: daily), alertThresholds: budget.alertThresholds, timeZone: zone))
        }
        if let monthly = budget.monthlyUSD {
            caps.append(.init(scope: scope, window: .month, limit: Nanodollars(usd: monthly), alertThresholds: budget.alertThresholds, timeZone: zone))
        }
        return caps
    }

    /// The caps of the teams and keys of a configuration, by scope.
    public static func principalCaps(_ configuration: GatewayConfiguration) -> [String: [BudgetAccountant.Cap]] {
        var table: [String: [BudgetAccountant.Cap]] = [:]
        for entry in configuration.budgets { table[entry.scope, default: []] += caps(scope: entry.scope, budget: entry.budget) }
        return table
    }

    /// Caps of the calling key and its team.
    public func caps(of principal: Principal?) -> [BudgetAccountant.Cap] {
        guard let principal else { return [] }
        return (principalCaps["key:\(principal.keyID)"] ?? []) + (principal.team.flatMap { principalCaps["team:\($0)"] } ?? [])
    }

    /// Rate-limit checks for one request: the key's and the use case's, requests and tokens. All
    /// pass or none is consumed. Returns the decision shown in `x-ratelimit-*` headers.
    public func admitRate(keyID: String?, useCase: UseCase?, tokens: Int) -> (allowed: Bool, requests: RateLimiter.Decision?, tokens: RateLimiter.Decision?, retryAfter: Double) {
        var checks: [(String, Int, RateLimiter.Limit, Bool)] = []  // key, cost, limit, isTokens
        if let keyID, let limit = keyRequestLimit { checks.append(("key:\(keyID):rpm", 1, limit, false)) }
        if let keyID, let limit = keyTokenLimit { checks.append(("key:\(keyID):tpm", tokens, limit, true)) }
        if let useCase, let rpm = useCase.limits.requestsPerMinute { checks.append(("usecase:\(useCase.id):rpm", 1, .init(perMinute: rpm, burst: useCase.limits.burst), false)) }
        if let useCase, let tpm = useCase.limits.tokensPerMinute {
            checks.append(("usecase:\(useCase.id):tpm", tokens, .init(perMinute: tpm, burst: max(tpm / 60, min(tpm, 8192))), true))
        }
        var admitted: [(String, Int, RateLimiter.Limit)] = []
        var requestDecision: RateLimiter.Decision?
        var tokenDecision: RateLimiter.Decision?
        for (key, cost, limit, isTokens) in checks {
            let decision = limiter.acquire(key, cost: cost, limit: limit)
            // The tightest limit is the one shown.
            if isTokens {
                if tokenDecision == nil || decision.remaining < tokenDecision!.remaining || !decision.allowed { tokenDecision = decision }
            } else if requestDecision == nil || decision.remaining < requestDecision!.remaining || !decision.allowed {
                requestDecision = decision
            }
            guard decision.allowed else {
                for (k, c, l) in admitted { limiter.refund(k, cost: c, limit: l) }
                return (false, requestDecision, tokenDecision, decision.retryAfterSeconds)
            }
            admitted.append((key, cost, limit))
        }
        return (true, requestDecision, tokenDecision, 0)
    }
}

/// Admission: rate limits, the response cache, and the budget reservation of the request's largest
/// possible cost. A request over a hard cap is refused (429 `budget_exceeded`) or, if the contract
/// says so, answered by the fallback variant (decision `fallback`).
public struct AdmitStage: InvocationStage {
    public var name: String { "admit" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let useCase = context.useCase, let variant = context.variant, let input = context.input else { return }
        // Evaluation items are measured, not billed or throttled (and never answered from the cache).
        guard context.route != .evaluation else { return }
        let governance = environment.governance
        let caller = VariantCaller(useCase: useCase, environment: environment)
        let estimate = Self.estimate(caller.request(for: variant, input: input, traceparent: nil), variant: variant)

        let rate = governance.admitRate(keyID: context.principal?.keyID, useCase: useCase, tokens: estimate.inputTokens + estimate.outputTokens)
        context.rateLimits = RateLimitSnapshot(requests: rate.requests, tokens: rate.tokens)
        guard rate.allowed else {
            throw GatewayError(
                status: 429, code: .rateLimited, message: "Rate limit reached for this key or use case; retry after the delay given.",
                retryAfterSeconds: max(1, Int(rate.retryAfter.rounded(.up))))
        }

        // Concurrency: past the contract's cap, wait in a bounded queue for a bounded time.
        if let limit = useCase.limits.concurrency {
            do {
                let waited = try await governance.gate.acquire(
                    "usecase:\(useCase.id)", limit: limit, queueLimit: useCase.limits.queueSize ?? limit * 2,
                    maxWait: .milliseconds(useCase.limits.queueTimeoutMilliseconds ?? 1000))
                context.concurrencySlot = "usecase:\(useCase.id)"
                context.queueWaitMilliseconds = waited.milliseconds
            } catch {
                throw GatewayError(
                    status: 503, code: .init(rawValue: "concurrency_limit"),
                    message: error == .queueFull
                        ? "Too many requests in flight for this use case and its queue is full; retry shortly."
                        : "Too many requests in flight for this use case; the wait for a slot ran out. Retry shortly.",
                    retryAfterSeconds: 1)
            }
        }

        // The cache: same variant version, same normalised input, deterministic settings only.
        if let policy = useCase.cache, Self.isDeterministic(variant), let cache = governance.caches[useCase.id] {
            let key = Self.cacheKey(variant: variant, input: input)
            context.cacheKey = key
            if let hit = cache.value(for: key) {
                context.cacheHit = true
                context.output = hit.output
                context.confidence = hit.confidence
                context.savedCostUSD = hit.costUSD
                context.answeringVariant = variant
                _ = policy
                return
            }
        }

        let caps = GovernanceSet.caps(of: useCase) + governance.caps(of: context.principal)
        guard !caps.isEmpty else { return }
        let prices = environment.configuration.provider(named: variant.provider)?.prices(forModel: Self.model(of: variant)) ?? .free
        let maxCost = Nanodollars(usd: prices.cost(TokenUsage(inputTokens: estimate.inputTokens, outputTokens: estimate.outputTokens)))
        do {
            context.reservation = try governance.budgets.reserve(maxCost, caps: caps)
        } catch {
            guard useCase.budget?.onExceed == .fallback, let fallback = CallModelStage.fallbackVariant(of: useCase, excluding: variant) else {
                throw GatewayError(
                    status: 429, code: .budgetExceeded,
                    message: "The budget of this use case, team or key is used up for the current period; the request was not sent to a model.")
            }
            // Degraded mode: the fallback variant (usually the local engine) answers within what is left.
            let fallbackPrices = environment.configuration.provider(named: fallback.provider)?.prices(forModel: Self.model(of: fallback)) ?? .free
            let fallbackEstimate = Self.estimate(caller.request(for: fallback, input: input, traceparent: nil), variant: fallback)
            let fallbackCost = Nanodollars(usd: fallbackPrices.cost(TokenUsage(inputTokens: fallbackEstimate.inputTokens, outputTokens: fallbackEstimate.outputTokens)))
            do {
                context.reservation = try governance.budgets.reserve(fallbackCost, caps: caps)
            } catch {
                throw GatewayError(status: 429, code: .budgetExceeded, message: "The budget is used up for the current period, the degraded mode included.")
            }
            context.variant = fallback
            context.budgetFallback = true
        }
    }

    static func model(of variant: Variant) -> String {
        if case .model(let model) = variant.engine { return model.model }
        return variant.name
    }

    static func isDeterministic(_ variant: Variant) -> Bool {
        switch variant.engine {
        case .local: return true
        case .model(let model): return model.parameters.temperature == 0
        }
    }

    static func cacheKey(variant: Variant, input: JSONValue) -> String {
        variant.name + "@" + variant.version + "|" + input.compactJSONString()
    }

    /// The largest the call can cost: the prompt's estimated tokens plus the variant's `max_tokens`
    /// (1024 when unset). Local models cost nothing.
    static func estimate(_ request: ModelRequest, variant: Variant) -> TokenUsage {
        guard case .model(let model) = variant.engine else { return TokenUsage(inputTokens: 0, outputTokens: 0, estimated: true) }
        return TokenUsage(
            inputTokens: TokenUsage.estimate(characters: request.promptCharacters), outputTokens: model.parameters.maxTokens ?? 1024,
            estimated: true)
    }
}

/// The rate-limit state shown to the caller in `x-ratelimit-*` headers.
public struct RateLimitSnapshot: Sendable {
    public var requests: RateLimiter.Decision?
    public var tokens: RateLimiter.Decision?

    public init(requests: RateLimiter.Decision?, tokens: RateLimiter.Decision?) {
        self.requests = requests
        self.tokens = tokens
    }
}
