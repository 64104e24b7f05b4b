import Core
import Synchronization

/// Per-provider circuit breaker: after `failureThreshold` consecutive provider faults the circuit
/// opens and calls are refused at once; after `openDuration` exactly one probe goes through; its
/// success closes the circuit, its failure opens it again.
public final class CircuitBreaker: Sendable {
    public enum State: String, Sendable, Hashable {
        case closed, open, halfOpen = "half_open"
    }

    private struct Storage {
        var state: State = .closed
        var consecutiveFailures = 0
        var openedAt: ContinuousClock.Instant?
        var probeInFlight = false
    }

    private let storage = Mutex(Storage())
    let failureThreshold: Int
    let openDuration: Duration
    let now: @Sendable () -> ContinuousClock.Instant

    public init(policy: CircuitBreakerPolicy, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.failureThreshold = policy.failureThreshold
        self.openDuration = .milliseconds(policy.openMilliseconds)
        self.now = now
    }

    public var state: State {
        storage.withLock { storage in
            if storage.state == .open, let openedAt = storage.openedAt, now() - openedAt >= openDuration { return .halfOpen }
            return storage.state
        }
    }

    /// Whether a call may go through now. In half-open state only one caller gets `true`.
    public func allowRequest() -> Bool {
        storage.withLock { storage in
            switch storage.state {
            case .closed:
                return true
            case .open:
                guard let openedAt = storage.openedAt, now() - openedAt >= openDuration else { return false }
                storage.state = .halfOpen
                storage.probeInFlight = true
                return true
            case .halfOpen:
                if storage.probeInFlight { return false }
                storage.probeInFlight = true
                return true
            }
        }
    }

    public func recordSuccess() {
        storage.withLock { storage in
            storage = Storage()
        }
    }

    public func recordFailure() {
        storage.withLock { storage in
            storage.probeInFlight = false
            if storage.state == .halfOpen {
                storage.state = .open
                storage.openedAt = now()
                return
            }
            storage.consecutiveFailures += 1
            if storage.consecutiveFailures >= failureThreshold {
                storage.state = .open
                storage.openedAt = now()
            }
        }
    }

    /// A call that ended without telling anything about the provider's health (cancelled, caller error
    /// already counted as success elsewhere): a half-open probe slot is given back.
    public func recordNeutral() {
        storage.withLock { storage in
            storage.probeInFlight = false
        }
    }
}
