import AsyncHTTPClient
import Core
import Foundation
import Governance
import Logging
import Store

/// Sends budget alerts to the on-call webhook of the use case's owners: one JSON POST per threshold
/// per window (the accountant reports each crossing once), retried with backoff until it is
/// accepted, and recorded in the audit log.
final class BudgetAlerter: Sendable {
    let httpClient: HTTPClient
    let store: SQLiteStore
    let logger: Logger
    let webhooks: @Sendable (String?) -> String?
    let maxAttempts: Int
    let baseDelay: Duration

    init(
        httpClient: HTTPClient, store: SQLiteStore, logger: Logger, maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(200),
        webhooks: @escaping @Sendable (String?) -> String?
    ) {
        self.httpClient = httpClient
        self.store = store
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.webhooks = webhooks
    }

    func notify(_ crossings: [BudgetAccountant.Crossing], useCase: String?) {
        for crossing in crossings {
            Task { await self.send(crossing, useCase: useCase) }
        }
    }

    func send(_ crossing: BudgetAccountant.Crossing, useCase: String?) async {
        let body: JSONValue = [
            "type": "budget_threshold_crossed",
            "scope": .string(crossing.cap.scope),
            "window": .string(crossing.cap.window.rawValue),
            "period": .string(crossing.windowLabel),
            "threshold": .number(crossing.threshold),
            "spent_usd": .number(crossing.spent.usd),
            "limit_usd": .number(crossing.cap.limit.usd),
            "use_case": useCase.map(JSONValue.string) ?? .null,
        ]
        var delivered = false
        var attempts = 0
        if let url = webhooks(useCase) {
            (delivered, attempts) = await WebhookSender.post(body, to: url, client: httpClient, attempts: maxAttempts, baseDelay: baseDelay)
        }
        logger.notice(
            "budget threshold crossed",
            metadata: ["scope": "\(crossing.cap.scope)", "threshold": "\(crossing.threshold)", "delivered": "\(delivered)", "attempts": "\(attempts)"])
        try? await store.append([
            AuditEventDraft(
                actor: "gatehouse", action: "budget.alert", useCase: useCase, target: crossing.cap.scope, outcome: delivered ? "delivered" : "undelivered",
                details: [
                    "window": .string(crossing.cap.window.rawValue), "period": .string(crossing.windowLabel), "threshold": .number(crossing.threshold),
                    "attempts": .number(Double(attempts)),
                ])
        ])
    }
}
