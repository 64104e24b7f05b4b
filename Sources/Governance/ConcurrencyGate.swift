import Synchronization

/// Caps the requests in flight per key (a use case): beyond the cap, requests wait in a bounded
/// queue for a bounded time, first come first served; a full queue or a wait past the limit is a
/// refusal the caller can retry (503 with Retry-After). Queue depth and waits are observable.
public final class ConcurrencyGate: Sendable {
    public enum Refusal: Error, Sendable { case queueFull, timedOut }

    struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Bool, Never>
    }

    struct Lane {
        var inFlight = 0
        var waiters: [Waiter] = []
    }

    private let lanes = Mutex<[String: Lane]>([:])
    private let nextID = Mutex<UInt64>(0)

    public init() {}

    /// Waits for a slot; returns how long it waited.
    public func acquire(_ key: String, limit: Int, queueLimit: Int, maxWait: Duration) async throws(Refusal) -> Duration {
        let started = ContinuousClock.now
        let id = nextID.withLock { value -> UInt64 in value += 1; return value }
        enum Outcome { case admitted, queued, full }
        let immediate: Outcome = lanes.withLock { table in
            var lane = table[key] ?? Lane()
            defer { table[key] = lane }
            if lane.inFlight < limit && lane.waiters.isEmpty {
                lane.inFlight += 1
                return .admitted
            }
            return lane.waiters.count >= queueLimit ? .full : .queued
        }
        switch immediate {
        case .admitted: return .zero
        case .full: throw .queueFull
        case .queued: break
        }
        let admitted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let queued = lanes.withLock { table -> Bool in
                var lane = table[key] ?? Lane()
                defer { table[key] = lane }
                // A slot may have freed between the check and here.
                if lane.inFlight < limit && lane.waiters.isEmpty {
                    lane.inFlight += 1
                    return false
                }
                lane.waiters.append(Waiter(id: id, continuation: continuation))
                return true
            }
            if !queued {
                continuation.resume(returning: true)
                return
            }
            Task {
                try? await Task.sleep(for: maxWait)
                let timedOut = self.lanes.withLock { table -> CheckedContinuation<Bool, Never>? in
                    guard var lane = table[key], let index = lane.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    let waiter = lane.waiters.remove(at: index)
                    table[key] = lane
                    return waiter.continuation
                }
                timedOut?.resume(returning: false)
            }
        }
        guard admitted else { throw .timedOut }
        return ContinuousClock.now - started
    }

    /// Frees a slot; the longest waiter, if any, takes it over.
    public func release(_ key: String) {
        let next = lanes.withLock { table -> CheckedContinuation<Bool, Never>? in
            guard var lane = table[key] else { return nil }
            defer { table[key] = lane }
            if !lane.waiters.isEmpty {
                return lane.waiters.removeFirst().continuation  // the slot passes on: in-flight unchanged
            }
            lane.inFlight = max(0, lane.inFlight - 1)
            return nil
        }
        next?.resume(returning: true)
    }

    /// In flight and waiting, for saturation metrics.
    public func depth(_ key: String) -> (inFlight: Int, waiting: Int) {
        lanes.withLock { table in (table[key]?.inFlight ?? 0, table[key]?.waiters.count ?? 0) }
    }
}
