// Times the admission check alone, in-process: a request-rate and a token-rate limit (GCRA) plus a
// budget reservation against a daily and a monthly cap, then the settlement. p50 and p99.
// Usage: Benchmarks/admission.sh
import Foundation
import Governance

let limiter = RateLimiter()
let budgets = BudgetAccountant()
let caps = [
    BudgetAccountant.Cap(scope: "usecase:ticket-triage", window: .day, limit: Nanodollars(usd: 1_000_000), alertThresholds: [0.5, 0.8, 1.0]),
    BudgetAccountant.Cap(scope: "usecase:ticket-triage", window: .month, limit: Nanodollars(usd: 10_000_000), alertThresholds: [0.5, 0.8, 1.0]),
    BudgetAccountant.Cap(scope: "team:support", window: .month, limit: Nanodollars(usd: 10_000_000)),
]
let requests = RateLimiter.Limit(perMinute: 60_000_000)
let tokens = RateLimiter.Limit(perMinute: 6_000_000_000)
let keys = (0..<64).map { "key:\($0)" }

func admit(_ index: Int) -> Bool {
    let key = keys[index & 63]
    guard limiter.acquire(key + ":rpm", cost: 1, limit: requests).allowed,
        limiter.acquire(key + ":tpm", cost: 1200, limit: tokens).allowed
    else { return false }
    guard let reservation = try? budgets.reserve(Nanodollars(usd: 0.0012), caps: caps) else { return false }
    budgets.settle(reservation, actual: Nanodollars(usd: 0.0009))
    return true
}

let iterations = Int(ProcessInfo.processInfo.environment["ADMISSION_ITERATIONS"] ?? "") ?? 200_000
for index in 0..<10_000 { _ = admit(index) }
var samples = [Double]()
samples.reserveCapacity(iterations)
let clock = ContinuousClock()
var admitted = 0
for index in 0..<iterations {
    let start = clock.now
    if admit(index) { admitted += 1 }
    let elapsed = clock.now - start
    samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
}
samples.sort()
let p50 = samples[samples.count / 2], p99 = samples[Int(Double(samples.count) * 0.99)], p999 = samples[Int(Double(samples.count) * 0.999)]
print("Admission check (2 rate limits + 3 budget caps, reserve and settle), \(iterations) calls, one thread, release build")
print(String(format: "p50 %.2f µs   p99 %.2f µs   p99.9 %.2f µs   admitted %d", p50, p99, p999, admitted))
print(String(format: "target: p99 under 20 µs: %@", p99 < 20 ? "met" : "NOT met"))
