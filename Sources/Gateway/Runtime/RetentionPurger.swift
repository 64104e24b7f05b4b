import Core
import Foundation
import Logging
import ServiceLifecycle
import Store

/// Clears payloads whose retention has passed, at start-up and then every interval. Rows keep their
/// metadata (figures, decisions, timings); only the payload columns are emptied.
struct RetentionPurger: Service {
    let store: SQLiteStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Stops at once on graceful shutdown instead of finishing an hour-long sleep.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await purgeOnce()
                try await Task.sleep(for: interval)
            }
        }
    }

    @discardableResult
    func purgeOnce(now: Date = Date()) async -> Int {
        do {
            let count = try await store.purgeExpiredPayloads(now: now)
            if count > 0 {
                logger.info("expired payloads purged", metadata: ["rows": "\(count)"])
                try await store.append([
                    AuditEventDraft(actor: "gatehouse", action: "retention.purge", details: ["rows": .number(Double(count))])
                ])
            }
            return count
        } catch {
            logger.error("payload purge failed; will retry", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
