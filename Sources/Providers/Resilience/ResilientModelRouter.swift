import Foundation
import Core
import Governance
import Synchronization

/// The provider chain: for each target in order, circuit breaker, concurrency cap, then attempts with
/// jittered exponential backoff (honouring `Retry-After`), never past the request's deadline.
///
/// Streams fail over only while opening: once the first event has arrived the stream is the caller's,
/// and a later failure ends it with an error instead of switching providers mid-answer.
public final class ResilientModelRouter: ModelRouter {
    let providers: [String: any ModelProvider]
    let configurations: [String: ProviderConfiguration]
    let breakers: [String: CircuitBreaker]
    private let gate = ConcurrencyGate()

    public init(providers: [String: any ModelProvider], configurations: [String: ProviderConfiguration]) {
        self.providers = providers
        self.configurations = configurations
        var breakers: [String: CircuitBreaker] = [:]
        for (name, configuration) in configurations { breakers[name] = CircuitBreaker(policy: configuration.circuitBreaker) }
        self.breakers = breakers
    }

    public func breakerState(_ provider: String) -> CircuitBreaker.State? {
        breakers[provider]?.state
    }

    public func complete(_ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant) async throws(RoutingFailure) -> RoutedResponse {
        try await route(request, targets: targets, deadline: deadline) { provider, request, timeout in
            try await provider.complete(request, timeout: timeout)
        } wrap: { response, target, attempts in
            RoutedResponse(response: response, target: target, attempts: attempts)
        }
    }

    public func stream(_ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant) async throws(RoutingFailure) -> RoutedStream {
        try await route(request, targets: targets, deadline: deadline) { provider, request, timeout in
            try await provider.stream(request, timeout: timeout)
        } wrap: { events, target, attempts in
            RoutedStream(events: events, target: target, attempts: attempts)
        }
    }

    private func route<Answer: Sendable, Routed>(
        _ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant,
        call: @Sendable (any ModelProvider, ModelRequest, Duration) async throws -> Answer,
        wrap: (Answer, ProviderTarget, [AttemptRecord]) -> Routed
    ) async throws(RoutingFailure) -> Routed {
        var attempts: [AttemptRecord] = []
        var lastError = ProviderError.notConfigured("no provider target")
        for target in targets {
            guard let provider = providers[target.provider], let configuration = configurations[target.provider],
                let breaker = breakers[target.provider]
            else {
                lastError = .notConfigured("unknown provider")
                attempts.append(AttemptRecord(provider: target.provider, model: target.model, milliseconds: 0, error: lastError.description))
                continue
            }
            var targetRequest = request
            targetRequest.model = target.model
            attemptLoop: for attempt in 1...max(1, configuration.retry.maxAttempts) {
                let remaining = deadline - .now
                if remaining <= .zero || Task.isCancelled {
                    throw RoutingFailure(lastError: .timeout, attempts: attempts, deadlineExceeded: true)
                }
                guard breaker.allowRequest() else {
                    lastError = .circuitOpen
                    attempts.append(AttemptRecord(provider: target.provider, model: target.model, milliseconds: 0, error: lastError.description))
                    break attemptLoop
                }
                // At the provider's cap a request waits in a bounded queue, within its deadline; then the next target.
                let maxWait = min(Duration.milliseconds(configuration.queueTimeoutMilliseconds), max(.zero, deadline - .now))
                guard (try? await gate.acquire(
                    target.provider, limit: configuration.maxConcurrency, queueLimit: configuration.queueSize ?? configuration.maxConcurrency,
                    maxWait: maxWait)) != nil
                else {
                    breaker.recordNeutral()
                    lastError = .saturated
                    attempts.append(AttemptRecord(provider: target.provider, model: target.model, milliseconds: 0, error: lastError.description))
                    break attemptLoop
                }
                let limit = Duration.milliseconds(configuration.timeoutMilliseconds)
                let timeout = min(limit, remaining)
                // Each attempt is a span of the caller's trace: the provider sees it as its parent.
                var attemptSpan: (id: String, parent: String)?
                if let incoming = request.traceparent, let parsed = TraceContext.parse(incoming) {
                    let id = TraceContext.newSpanID()
                    attemptSpan = (id, parsed.spanID)
                    targetRequest.traceparent = "00-\(parsed.traceID)-\(id)-\(parsed.sampled ? "01" : "00")"
                }
                let startedAt = Date()
                let started = ContinuousClock.now
                do {
                    let answer = try await call(provider, targetRequest, timeout)
                    release(target.provider)
                    breaker.recordSuccess()
                    attempts.append(AttemptRecord(
                        provider: target.provider, model: target.model, milliseconds: (ContinuousClock.now - started).milliseconds, error: nil,
                        spanID: attemptSpan?.id, parentSpanID: attemptSpan?.parent, startedAt: startedAt))
                    return wrap(answer, target, attempts)
                } catch {
                    release(target.provider)
                    let providerError = (error as? ProviderError) ?? .connection(String(describing: type(of: error)))
                    attempts.append(AttemptRecord(
                        provider: target.provider, model: target.model, milliseconds: (ContinuousClock.now - started).milliseconds,
                        error: providerError.description, spanID: attemptSpan?.id, parentSpanID: attemptSpan?.parent, startedAt: startedAt))
                    if providerError.isProviderFault { breaker.recordFailure() } else if case .http = providerError { breaker.recordSuccess() } else { breaker.recordNeutral() }
                    lastError = providerError
                    if providerError == .timeout && ContinuousClock.now >= deadline - .milliseconds(1) {
                        throw RoutingFailure(lastError: .timeout, attempts: attempts, deadlineExceeded: true)
                    }
                    guard providerError.isRetryable, attempt < configuration.retry.maxAttempts else { break attemptLoop }
                    var delay = backoff(attempt: attempt, policy: configuration.retry)
                    if case .http(_, let retryAfter?, _) = providerError {
                        delay = max(delay, .milliseconds(Int(retryAfter * 1000)))
                    }
                    if ContinuousClock.now + delay >= deadline {
                        // Waiting would pass the deadline: the deadline is what ends this request.
                        throw RoutingFailure(lastError: providerError, attempts: attempts, deadlineExceeded: true)
                    }
                    do {
                        try await Task.sleep(for: delay)
                    } catch {
                        throw RoutingFailure(lastError: providerError, attempts: attempts, deadlineExceeded: false)
                    }
                }
            }
        }
        throw RoutingFailure(lastError: lastError, attempts: attempts, deadlineExceeded: false)
    }

    /// Full jitter: uniform in [0, min(max, base * 2^(attempt-1))].
    func backoff(attempt: Int, policy: RetryPolicy) -> Duration {
        let ceiling = min(Double(policy.maxDelayMilliseconds), Double(policy.baseDelayMilliseconds) * pow2(attempt - 1))
        guard ceiling > 0 else { return .zero }
        return .milliseconds(Int(Double.random(in: 0...ceiling)))
    }

    private func pow2(_ n: Int) -> Double {
        var value = 1.0
        for _ in 0..<max(0, min(n, 30)) { value *= 2 }
        return value
    }

    private func release(_ provider: String) {
        gate.release(provider)
    }

    /// Requests in flight and waiting per provider (saturation).
    public func depth(provider: String) -> (inFlight: Int, waiting: Int) { gate.depth(provider) }
}
