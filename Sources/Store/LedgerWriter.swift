import Core
import Logging
import ServiceLifecycle
import Synchronization

/// A ledger that stores rows in batches behind the response path.
///
/// `record` returns as soon as the row is queued; the writer service inserts queued rows in one
/// transaction per batch. No row is dropped: when the queue reaches `capacity`, `record` waits for it
/// to drain (backpressure); a failed batch is retried; on shutdown or cancellation the queue is drained
/// before `run` returns. A row is readable by id as soon as it is queued. When the service is not
/// running (command-line tools, some tests) rows are written straight through.
///
/// The writer lingers: once a row is queued it waits `linger` (5 ms by default) for more before it
/// writes, unless `lingerRows` are already waiting. At one request at a time, writing each row alone
/// cost a transaction and five thread hand-offs per request, most of the gateway's CPU; batched over
/// 5 ms they are shared by every row of the batch. Rows are still readable by id while they wait.
public final class LedgerWriter: LedgerStore, Service {
    private struct State {
        var pending: [LedgerEntry] = []
        var writing: [LedgerEntry] = []
        var wakeup: CheckedContinuation<Void, Never>?
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var running = false
        var stopping = false
    }

    private let store: SQLiteStore
    private let capacity: Int
    private let linger: Duration
    private let logger: Logger
    private let state = Mutex(State())
    /// A batch this large is written at once, without lingering.
    static let lingerRows = 256

    public init(store: SQLiteStore, capacity: Int = 4096, linger: Duration = .milliseconds(5), logger: Logger) {
        self.store = store
        self.capacity = capacity
        self.linger = linger
        self.logger = logger
    }

    // MARK: LedgerStore

    public func record(_ entry: LedgerEntry) async throws {
        let (queued, wakeup, full) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?, Bool) in
            guard state.running && !state.stopping else { return (false, nil, false) }
            state.pending.append(entry)
            let wakeup = state.wakeup
            state.wakeup = nil
            return (true, wakeup, state.pending.count >= capacity)
        }
        guard queued else {
            try await store.record(entry)
            return
        }
        wakeup?.resume()
        if full { await flush() }
    }

    /// Queues the row only while the queue is under half its capacity, and never waits: the other
    /// half stays for authenticated traffic, which waits for room rather than lose a row.
    public func recordIfRoom(_ entry: LedgerEntry) async -> Bool {
        let (outcome, wakeup) = state.withLock { state -> (Bool?, CheckedContinuation<Void, Never>?) in
            guard state.running && !state.stopping else { return (nil, nil) }
            guard state.pending.count < capacity / 2 else { return (false, nil) }
            state.pending.append(entry)
            let wakeup = state.wakeup
            state.wakeup = nil
            return (true, wakeup)
        }
        guard let outcome else { return (try? await store.record(entry)) != nil }
        wakeup?.resume()
        return outcome
    }

    public func entry(id: String) async throws -> LedgerEntry? {
        if let queued = state.withLock({ state in state.pending.first { $0.id == id } ?? state.writing.first { $0.id == id } }) {
            return queued
        }
        return try await store.entry(id: id)
    }

    public func recentEntries(limit: Int) async throws -> [LedgerEntry] {
        await flush()
        return try await store.recentEntries(limit: limit)
    }

    public func checkWritable() async throws {
        try await store.checkWritable()
    }

    /// Returns when every row queued before the call is in the database.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = state.withLock { state -> Bool in
                if state.pending.isEmpty && state.writing.isEmpty { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if drained { continuation.resume() }
        }
    }

    /// Rows waiting to be written (saturation figure).
    public var queueDepth: Int { state.withLock { $0.pending.count + $0.writing.count } }

    // MARK: Service

    public func run() async throws {
        state.withLock { $0.running = true }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                while let batch = await nextBatch() {
                    await write(batch)
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
        store.flushAuditAnchor()
        state.withLock { $0.running = false }
    }

    private func stop() {
        let wakeup = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopping = true
            let wakeup = state.wakeup
            state.wakeup = nil
            return wakeup
        }
        wakeup?.resume()
    }

    private func writeIndividually(_ batch: [LedgerEntry]) async {
        for entry in batch {
            let store = self.store
            if case .failure(let error) = await Task(operation: { try await store.record(batch: [entry]) }).result {
                logger.error(
                    "ledger row rejected by the database", metadata: ["invocation.id": "\(entry.id)", "error.type": "\(type(of: error))"])
            }
        }
    }

    private enum NextStep {
        case write([LedgerEntry])
        case finished
        case linger
        case wait
    }

    /// The next batch to write, after lingering for more rows; `nil` once stopping and nothing is left.
    private func nextBatch() async -> [LedgerEntry]? {
        var lingered = linger <= .zero
        while true {
            let step = state.withLock { state -> NextStep in
                if state.pending.isEmpty { return state.stopping ? .finished : .wait }
                if !lingered && !state.stopping && state.pending.count < Self.lingerRows { return .linger }
                state.writing = state.pending
                state.pending = []
                return .write(state.writing)
            }
            switch step {
            case .write(let batch):
                return batch
            case .finished:
                return nil
            case .linger:
                lingered = true
                // Cancelled (shutting down): write at once.
                try? await Task.sleep(for: linger)
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        if !state.pending.isEmpty || state.stopping { return true }
                        state.wakeup = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
        }
    }

    private func write(_ batch: [LedgerEntry]) async {
        var failures = 0
        while true {
            // An unstructured task, so that a cancelled service still completes its last writes.
            let store = self.store
            let result = await Task { try await store.record(batch: batch) }.result
            guard case .failure(let error) = result else { break }
            if SQLiteStore.isConstraintViolation(error) {
                // One bad row (a duplicate id) must not block the others: write them one by one.
                await writeIndividually(batch)
                break
            }
            failures += 1
            if Task.isCancelled && failures >= 10 {
                // Shutting down with a store that keeps failing: say so loudly rather than hang forever.
                logger.critical("ledger rows could not be written before shutdown", metadata: ["ledger.lost_rows": "\(batch.count)"])
                break
            }
            logger.error("ledger batch write failed; retrying", metadata: ["ledger.batch_size": "\(batch.count)", "ledger.failures": "\(failures)"])
            try? await Task.sleep(for: .milliseconds(min(2000, 50 * failures)))
        }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.writing = []
            guard state.pending.isEmpty else { return [] }
            let waiters = state.drainWaiters
            state.drainWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
