import Synchronization

/// Answers of deterministic calls (temperature 0, or a local model) by exact key: the variant's
/// version and the normalised input. Entries expire after `ttl` seconds; past `capacity` the least
/// recently used goes.
public final class ResponseCache<Value: Sendable>: Sendable {
    struct Entry {
        var value: Value
        var expires: Double
        var lastUse: UInt64
    }

    struct State {
        var entries: [String: Entry] = [:]
        var tick: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())
    public let capacity: Int
    private let clock: @Sendable () -> Double

    public init(capacity: Int, clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    public func value(for key: String) -> Value? {
        let now = clock()
        return state.withLock { state in
            state.tick += 1
            guard var entry = state.entries[key] else { state.misses += 1; return nil }
            guard entry.expires > now else {
                state.entries[key] = nil
                state.misses += 1
                return nil
            }
            entry.lastUse = state.tick
            state.entries[key] = entry
            state.hits += 1
            return entry.value
        }
    }

    public func store(_ value: Value, for key: String, ttl: Double) {
        let now = clock()
        state.withLock { state in
            state.tick += 1
            state.entries[key] = Entry(value: value, expires: now + ttl, lastUse: state.tick)
            if state.entries.count > capacity {
                // Evict the least recently used (a scan: capacity is bounded and eviction is rare next to reads).
                if let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key { state.entries[oldest] = nil }
            }
        }
    }

    public var count: Int { state.withLock { $0.entries.count } }
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }
}
