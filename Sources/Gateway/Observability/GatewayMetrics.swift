import Core
import CoreMetrics
import Foundation
import Metrics
import Pipeline
import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, written through the swift-metrics API into one swift-prometheus
/// registry per runtime (tests run several runtimes in one process; no global bootstrap).
///
/// Names follow Prometheus conventions: base units (`_seconds`, `_usd`), counters end in `_total`.
/// Labels are bounded: use cases, variants, providers and models come from the configuration, never
/// from the request (a passthrough model the configuration does not know is `other`), decisions and
/// statuses are small enums, and no label ever carries a payload, a key or a user identifier.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: DescribedPrometheusFactory
    /// Requests inside the pipeline right now (saturation).
    let inFlight: CoreMetrics.Meter

    /// The handlers every request updates, looked up without swift-metrics' per-call objects.
    let hotHandles: RequestMetricHandles

    public init() {
        registry = PrometheusCollectorRegistry()
        factory = DescribedPrometheusFactory(registry: registry)
        inFlight = CoreMetrics.Meter(label: "gatehouse_requests_in_flight", factory: factory)
        hotHandles = RequestMetricHandles(factory: factory)
    }

    static func duration(milliseconds: Double) -> Duration {
        .nanoseconds(Int64(milliseconds * 1e6))
    }

    /// Buckets for request and stage latencies: 100 µs to 30 s.
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .microseconds(2_500_000),
        .seconds(5), .seconds(10), .seconds(30),
    ]

    /// Records everything one finished invocation says, from its context (one call per request).
    func observe(_ context: InvocationContext, knownModels: Set<String>) {
        let route = context.route.rawValue
        let useCase = context.useCase?.id ?? (context.route == .passthrough ? "passthrough" : "none")
        let variant = (context.answeringVariant ?? context.variant)?.name ?? "none"
        let decision = (context.decision ?? .failed).rawValue
        let total = context.latencyMilliseconds
        let upstream = context.attempts.reduce(0) { $0 + $1.milliseconds }
        let provider = context.lastResponse?.target.provider ?? "none"
        let hot = hotHandles
        hot.requests(route: route, useCase: useCase, variant: variant, decision: decision, status: context.httpStatus).increment()
        let durations = hot.durations(route: route, useCase: useCase)
        durations.total.record(Self.duration(milliseconds: total))
        durations.overhead.record(Self.duration(milliseconds: max(0, total - upstream - context.queueWaitMilliseconds)))
        for (stage, milliseconds) in context.stageTimings {
            hot.stage(stage).record(Self.duration(milliseconds: milliseconds))
        }
        for attempt in context.attempts {
            let model = knownModels.contains("\(attempt.provider)/\(attempt.model)") ? attempt.model : "other"
            hot.upstream(provider: attempt.provider, model: model, ok: attempt.error == nil).record(Self.duration(milliseconds: attempt.milliseconds))
        }
        if context.usage.inputTokens > 0 || context.usage.outputTokens > 0 || context.costUSD > 0 {
            let usage = hot.usage(useCase: useCase, provider: provider)
            if context.usage.inputTokens > 0 || context.usage.outputTokens > 0 {
                usage.inputTokens.increment(by: Int64(context.usage.inputTokens))
                usage.outputTokens.increment(by: Int64(context.usage.outputTokens))
            }
            if context.costUSD > 0 { usage.cost.increment(by: context.costUSD) }
        }
        if let code = context.error?.code {
            let reason: String? =
                switch code {
                case .rateLimited: "rate_limit"
                case .budgetExceeded: "budget"
                case .init(rawValue: "concurrency_limit"): "concurrency"
                default: nil
                }
            if let reason {
                CoreMetrics.Counter(label: "gatehouse_rejections", dimensions: [("use_case", useCase), ("reason", reason)], factory: factory).increment()
            }
        }
        if context.ledgerDropped {
            CoreMetrics.Counter(label: "gatehouse_ledger_dropped_rows", dimensions: [("reason", "unauthenticated_rejection")], factory: factory).increment()
        }
        if context.budgetFallback {
            CoreMetrics.Counter(label: "gatehouse_rejections", dimensions: [("use_case", useCase), ("reason", "budget_fallback")], factory: factory).increment()
        }
        for (type, count) in context.guardReport.inputPII {
            CoreMetrics.Counter(label: "gatehouse_guard_findings", dimensions: [("guard", "pii"), ("type", type), ("where", "input")], factory: factory)
                .increment(by: Int64(count))
        }
        for (type, count) in context.guardReport.outputLeaks {
            CoreMetrics.Counter(label: "gatehouse_guard_findings", dimensions: [("guard", "pii"), ("type", type), ("where", "output")], factory: factory)
                .increment(by: Int64(count))
        }
        if context.guardReport.injectionSignals.contains(where: { $0 != "classifier" }) || (context.guardReport.injectionScore ?? 0) >= 0.5 {
            CoreMetrics.Counter(label: "gatehouse_guard_findings", dimensions: [("guard", "injection"), ("type", "injection"), ("where", "input")], factory: factory)
                .increment()
        }
        if context.guardReport.forbiddenTopic != nil {
            CoreMetrics.Counter(label: "gatehouse_guard_findings", dimensions: [("guard", "topic"), ("type", "forbidden_topic"), ("where", "input")], factory: factory)
                .increment()
        }
        if context.useCase?.cache != nil, context.attempts.isEmpty == false || context.cacheHit {
            CoreMetrics.Counter(label: "gatehouse_cache_requests", dimensions: [("use_case", useCase), ("result", context.cacheHit ? "hit" : "miss")], factory: factory)
                .increment()
        }
    }

    /// Sets a gauge (state read at scrape time: budgets, breakers, queues, review queue, eval gates).
    func set(_ label: String, _ dimensions: [(String, String)], _ value: Double) {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory).record(value)
    }

    /// The exposition text.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 << 10)
        registry.emit(into: &buffer)
        return buffer
    }
}

/// A swift-metrics factory over a swift-prometheus registry that gives each metric its unit suffix
/// and HELP text (the stock factory emits none, which `promtool check metrics` flags).
///
/// Handlers are remembered by name and labels: every request asks for a dozen of them, and the
/// registry's own lookup (name validation, HELP text, a lock, label sorting) cost more than the
/// metric update itself.
struct DescribedPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let handles = MetricHandleCache()

    /// label -> (unit suffix, help).
    static let descriptions: [String: (unit: String, help: String)] = [
        "gatehouse_requests": ("total", "Requests by route, use case, answering variant, decision and HTTP status."),
        "gatehouse_request_duration": ("seconds", "End-to-end time of a request inside the gateway, upstream calls included."),
        "gatehouse_overhead_duration": ("seconds", "The gateway's own time per request: end-to-end minus upstream attempts and queue waits."),
        "gatehouse_stage_duration": ("seconds", "Time spent in each pipeline stage."),
        "gatehouse_upstream_duration": ("seconds", "Duration of each upstream attempt by provider, model and outcome."),
        "gatehouse_tokens": ("total", "Model tokens by use case, provider and direction (input or output)."),
        "gatehouse_cost": ("usd_total", "Model cost in US dollars by use case and provider."),
        "gatehouse_rejections": ("total", "Requests refused by admission: rate limit, budget, concurrency, or answered by the budget fallback."),
        "gatehouse_guard_findings": ("total", "Guard findings by guard, type and where (input, output); counts, never values."),
        "gatehouse_cache_requests": ("total", "Response cache lookups by use case and result (hit, miss)."),
        "gatehouse_ledger_dropped_rows": ("total", "Ledger rows not kept: unauthenticated rejections while the ledger queue was busy."),
        "gatehouse_requests_in_flight": ("", "Requests inside the gateway right now."),
        "gatehouse_provider_queue_depth": ("", "Requests waiting for a provider concurrency slot."),
        "gatehouse_provider_in_flight": ("", "Requests holding a provider concurrency slot."),
        "gatehouse_circuit_breaker_state": ("", "Circuit breaker of each provider: 0 closed, 1 half-open, 2 open."),
        "gatehouse_budget_remaining": ("usd", "Budget left in the current window, by scope and window."),
        "gatehouse_budget_limit": ("usd", "Budget limit of the current window, by scope and window."),
        "gatehouse_review_queue_size": ("", "Review items waiting for a human, by use case."),
        "gatehouse_review_oldest_age": ("seconds", "Age of the oldest pending review item, by use case."),
        "gatehouse_eval_gate_passed": ("", "Latest recorded evaluation of each variant version: 1 when the gate passed, 0 when it failed."),
        "gatehouse_eval_verdict_go": ("", "Latest recorded evaluation of each variant: 1 for GO, 0 for NO-GO."),
    ]

    func descriptor(_ label: String) -> MetricNameDescriptor {
        let description = Self.descriptions[label] ?? ("", label)
        return MetricNameDescriptor(metricName: label, unitName: description.unit, helpText: description.help)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handles.counter(.init(label, dimensions)) { registry.makeCounter(descriptor: descriptor(label), labels: dimensions) }
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        handles.counter(.init(label, dimensions)) { registry.makeCounter(descriptor: descriptor(label), labels: dimensions) }
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        aggregate
            ? registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: [0.01, 0.1, 1, 10, 100, 1000])
            : registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        handles.gauge(.init(label, dimensions)) { registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        handles.timer(.init(label, dimensions)) {
            registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: GatewayMetrics.durationBuckets)
        }
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter {
            handles.forget(counter)
            registry.unregisterCounter(counter)
        }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter {
            handles.forget(counter)
            registry.unregisterCounter(counter)
        }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge {
            handles.forget(gauge)
            registry.unregisterGauge(gauge)
        }
        if let histogram = handler as? Histogram<Double> { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge {
            handles.forget(gauge)
            registry.unregisterGauge(gauge)
        }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? Histogram<Duration> {
            handles.forget(histogram)
            registry.unregisterDurationHistogram(histogram)
        }
    }
}

/// The registry's handlers by metric name and labels (see `DescribedPrometheusFactory`). Label values
/// are bounded (see `GatewayMetrics`), so the cache is too.
final class MetricHandleCache: Sendable {
    struct Key: Hashable {
        var label: String
        var dimensions: [String]

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            self.dimensions = dimensions.flatMap { [$0.0, $0.1] }
        }
    }

    private struct Handles {
        var counters: [Key: Prometheus.Counter] = [:]
        var gauges: [Key: Prometheus.Gauge] = [:]
        var timers: [Key: Histogram<Duration>] = [:]
    }

    private let state = Mutex(Handles())

    func counter(_ key: Key, make: () -> Prometheus.Counter) -> Prometheus.Counter { handle(key, \.counters, make) }
    func gauge(_ key: Key, make: () -> Prometheus.Gauge) -> Prometheus.Gauge { handle(key, \.gauges, make) }
    func timer(_ key: Key, make: () -> Histogram<Duration>) -> Histogram<Duration> { handle(key, \.timers, make) }

    /// The handler remembered under `key`, made (outside the lock) and remembered on first use.
    private func handle<Handler: Sendable>(
        _ key: Key, _ table: any WritableKeyPath<Handles, [Key: Handler]> & Sendable, _ make: () -> Handler
    ) -> Handler {
        if let known = state.withLock({ $0[keyPath: table][key] }) { return known }
        let made = make()
        state.withLock { $0[keyPath: table][key] = made }
        return made
    }

    func forget(_ handler: AnyObject) {
        state.withLock { handles in
            handles.counters = handles.counters.filter { $0.value !== handler }
            handles.gauges = handles.gauges.filter { $0.value !== handler }
            handles.timers = handles.timers.filter { $0.value !== handler }
        }
    }
}

/// The metrics of every request, by their label values, each made once through the registry (which
/// returns the same collector for the same name and labels as the swift-metrics path would).
///
/// Going through swift-metrics for these cost, per request, a dozen handler objects, label arrays
/// and a lock each; here it is one lock and dictionary lookups on small keys.
final class RequestMetricHandles: Sendable {
    struct RequestKey: Hashable {
        var route, useCase, variant, decision: String
        var status: Int
    }

    struct RouteKey: Hashable {
        var route, useCase: String
    }

    struct UpstreamKey: Hashable {
        var provider, model: String
        var ok: Bool
    }

    struct UsageKey: Hashable {
        var useCase, provider: String
    }

    struct Durations: Sendable {
        var total: Histogram<Duration>
        var overhead: Histogram<Duration>
    }

    struct Usage: Sendable {
        var inputTokens: Prometheus.Counter
        var outputTokens: Prometheus.Counter
        var cost: Prometheus.Counter
    }

    private struct Tables {
        var requests: [RequestKey: Prometheus.Counter] = [:]
        var durations: [RouteKey: Durations] = [:]
        var stages: [String: Histogram<Duration>] = [:]
        var upstream: [UpstreamKey: Histogram<Duration>] = [:]
        var usage: [UsageKey: Usage] = [:]
    }

    private let factory: DescribedPrometheusFactory
    private let tables = Mutex(Tables())

    init(factory: DescribedPrometheusFactory) {
        self.factory = factory
    }

    func requests(route: String, useCase: String, variant: String, decision: String, status: Int) -> Prometheus.Counter {
        let key = RequestKey(route: route, useCase: useCase, variant: variant, decision: decision, status: status)
        return lookup(\.requests, key) {
            counter("gatehouse_requests", [("route", route), ("use_case", useCase), ("variant", variant), ("decision", decision), ("status", String(status))])
        }
    }

    func durations(route: String, useCase: String) -> Durations {
        lookup(\.durations, RouteKey(route: route, useCase: useCase)) {
            Durations(
                total: histogram("gatehouse_request_duration", [("route", route), ("use_case", useCase)]),
                overhead: histogram("gatehouse_overhead_duration", [("route", route), ("use_case", useCase)]))
        }
    }

    func stage(_ stage: String) -> Histogram<Duration> {
        lookup(\.stages, stage) { histogram("gatehouse_stage_duration", [("stage", stage)]) }
    }

    func upstream(provider: String, model: String, ok: Bool) -> Histogram<Duration> {
        lookup(\.upstream, UpstreamKey(provider: provider, model: model, ok: ok)) {
            histogram("gatehouse_upstream_duration", [("provider", provider), ("model", model), ("outcome", ok ? "ok" : "error")])
        }
    }

    func usage(useCase: String, provider: String) -> Usage {
        lookup(\.usage, UsageKey(useCase: useCase, provider: provider)) {
            Usage(
                inputTokens: counter("gatehouse_tokens", [("use_case", useCase), ("provider", provider), ("direction", "input")]),
                outputTokens: counter("gatehouse_tokens", [("use_case", useCase), ("provider", provider), ("direction", "output")]),
                cost: counter("gatehouse_cost", [("use_case", useCase), ("provider", provider)]))
        }
    }

    private func lookup<Key: Hashable, Value: Sendable>(
        _ table: any WritableKeyPath<Tables, [Key: Value]> & Sendable, _ key: Key, make: () -> Value
    ) -> Value {
        if let known = tables.withLock({ $0[keyPath: table][key] }) { return known }
        let made = make()
        tables.withLock { $0[keyPath: table][key] = made }
        return made
    }

    private func counter(_ label: String, _ labels: [(String, String)]) -> Prometheus.Counter {
        factory.registry.makeCounter(descriptor: factory.descriptor(label), labels: labels)
    }

    private func histogram(_ label: String, _ labels: [(String, String)]) -> Histogram<Duration> {
        factory.registry.makeDurationHistogram(descriptor: factory.descriptor(label), labels: labels, buckets: GatewayMetrics.durationBuckets)
    }
}
