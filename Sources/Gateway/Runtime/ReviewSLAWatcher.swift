import Core
import Foundation
import Logging
import ServiceLifecycle
import Store

/// Alerts the owners' on-call webhook when a use case's oldest pending review item is older than
/// its review SLA: once per item, retried with backoff, recorded in the audit log.
struct ReviewSLAWatcher: Service {
    let runtime: GatewayRuntime
    let interval: Duration

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var alerted: Set<String> = []
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await check(&alerted)
            }
        }
    }

    func check(_ alerted: inout Set<String>) async {
        for useCase in runtime.configuration.useCases {
            guard let sla = useCase.escalation.reviewSLASeconds else { continue }
            guard let oldest = try? await runtime.store.pendingReviews(
                useCases: [useCase.id], reason: nil, olderThan: Date().addingTimeInterval(-Double(sla))
            ).first, !alerted.contains(oldest.invocationID) else { continue }
            alerted.insert(oldest.invocationID)
            let age = Int(Date().timeIntervalSince(oldest.createdAt))
            var delivered = false
            if let url = useCase.owners.onCallWebhook {
                let body: JSONValue = [
                    "type": "review_sla_exceeded", "use_case": .string(useCase.id), "invocation_id": .string(oldest.invocationID),
                    "oldest_age_s": .number(Double(age)), "sla_s": .number(Double(sla)),
                ]
                delivered = await WebhookSender.post(body, to: url, client: runtime.httpClient).delivered
            }
            runtime.logger.warning("review SLA exceeded", metadata: ["usecase.id": "\(useCase.id)", "oldest_age_s": "\(age)", "delivered": "\(delivered)"])
            try? await runtime.store.append([
                AuditEventDraft(
                    actor: "gatehouse", action: "review.sla_alert", useCase: useCase.id, target: oldest.invocationID,
                    outcome: delivered ? "delivered" : "undelivered", details: ["oldest_age_s": .number(Double(age)), "sla_s": .number(Double(sla))])
            ])
        }
    }
}
