import Synchronization

/// Rate limits by the generic cell rate algorithm (GCRA): each key has a theoretical arrival time
/// that advances by `cost × interval` per admitted request; a request is admitted when that time is
/// within the burst tolerance of now. Smooth (no fixed windows to game at a boundary), O(1) memory
/// per key, one lock.
public final class RateLimiter: Sendable {
    public struct Limit: Sendable, Hashable {
        /// Units per minute (requests or tokens).
        public var perMinute: Int
        /// Units that may pass at once before the rate applies.
        public var burst: Int

        public init(perMinute: Int, burst: Int? = nil) {
            self.perMinute = max(1, perMinute)
            // Default: one second's worth, at least one unit. A smaller burst is smoother (a run at
            // twice the limit is then served closer to the limit); a larger one suits bursty clients.
            self.burst = max(1, burst ?? perMinute / 60)
        }

        /// Seconds between two units at the limit.
        var interval: Double { 60.0 / Double(perMinute) }
    }

    public struct Decision: Sendable, Hashable {
        public var allowed: Bool
        public var limit: Int
        /// Units that could pass right now.
        public var remaining: Int
        /// Seconds until the full burst is available again.
        public var resetSeconds: Double
        /// When refused: seconds until this request would pass.
        public var retryAfterSeconds: Double
    }

    private let state = Mutex<[String: Double]>([:])
    private let clock: @Sendable () -> Double

    /// `clock` returns seconds on a monotonic scale (tests pass their own).
    public init(clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.clock = clock
    }

    private static let origin = ContinuousClock.now

    public static func monotonicSeconds() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Admits `cost` units for `key` under `limit`, or refuses without consuming anything.
    public func acquire(_ key: String, cost: Int = 1, limit: Limit) -> Decision {
        let now = clock()
        let interval = limit.interval
        let tolerance = Double(limit.burst) * interval
        let increment = Double(max(1, cost)) * interval
        return state.withLock { table in
            let tat = max(table[key] ?? now, now)
            let newTAT = tat + increment
            // Admit when the new arrival time stays within the burst tolerance of now.
            if newTAT - now <= tolerance + 1e-9 {
                table[key] = newTAT
                return Decision(
                    allowed: true, limit: limit.perMinute, remaining: max(0, Int(((tolerance - (newTAT - now)) / interval).rounded(.down))),
                    resetSeconds: newTAT - now, retryAfterSeconds: 0)
            }
            return Decision(
                allowed: false, limit: limit.perMinute, remaining: max(0, Int(((tolerance - (tat - now)) / interval).rounded(.down))),
                resetSeconds: tat - now, retryAfterSeconds: newTAT - now - tolerance)
        }
    }

    /// Gives back units admitted for a request that was refused later (another limit, the budget).
    public func refund(_ key: String, cost: Int = 1, limit: Limit) {
        let increment = Double(max(1, cost)) * limit.interval
        state.withLock { table in
            if let tat = table[key] { table[key] = tat - increment }
        }
    }
}
