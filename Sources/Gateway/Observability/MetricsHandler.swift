import Core
import Foundation
import Governance
import HTTPTypes
import Hummingbird
import NIOCore
import Pipeline
import Providers

/// `GET /metrics`: Prometheus text exposition (viewer and admin keys: the figures describe traffic,
/// spend and quality, which not every caller should see). Gauges that describe state (breakers,
/// queues, budgets, the review queue, evaluation verdicts) are read at scrape time.
struct MetricsHandler: Sendable {
    let runtime: GatewayRuntime

    func scrape(_ request: Request) async throws -> Response {
        let principal = try await runtime.authenticate(request)
        do { try principal.authorize(.readMetrics) } catch { throw HTTPGatewayError(error) }
        await refreshGauges()
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: runtime.metrics.render())))
    }

    func refreshGauges() async {
        let configuration = runtime.configuration
        let environment = runtime.environment
        let metrics = runtime.metrics
        if let router = environment.router as? ResilientModelRouter {
            for provider in configuration.providers where provider.kind != .local {
                let state: Double =
                    switch router.breakerState(provider.name) {
                    case .closed, nil: 0
                    case .halfOpen: 1
                    case .open: 2
                    }
                metrics.set("gatehouse_circuit_breaker_state", [("provider", provider.name)], state)
                let depth = router.depth(provider: provider.name)
                metrics.set("gatehouse_provider_queue_depth", [("provider", provider.name)], Double(depth.waiting))
                metrics.set("gatehouse_provider_in_flight", [("provider", provider.name)], Double(depth.inFlight))
            }
        }
        var caps: [BudgetAccountant.Cap] = configuration.useCases.flatMap { GovernanceSet.caps(of: $0) }
        caps += environment.governance.principalCaps.values.flatMap { $0 }
        for cap in caps {
            let usage = environment.governance.budgets.usage(cap)
            let remaining = max(0, cap.limit.usd - usage.spent.usd - usage.reserved.usd)
            metrics.set("gatehouse_budget_remaining", [("scope", cap.scope), ("window", cap.window.rawValue)], remaining)
            metrics.set("gatehouse_budget_limit", [("scope", cap.scope), ("window", cap.window.rawValue)], cap.limit.usd)
        }
        let queues = (try? await runtime.store.reviewQueueStats()) ?? [:]
        for useCase in configuration.useCases {
            let queue = queues[useCase.id]
            metrics.set("gatehouse_review_queue_size", [("use_case", useCase.id)], Double(queue?.count ?? 0))
            metrics.set("gatehouse_review_oldest_age", [("use_case", useCase.id)], queue.map { max(0, Date().timeIntervalSince($0.oldest)) } ?? 0)
        }
        // Evaluation verdicts of the variant versions the configuration holds now.
        let current = Set(configuration.useCases.flatMap { useCase in useCase.variants.map { "\(useCase.id)/\($0.name)@\($0.version)" } })
        for record in (try? await runtime.store.latestEvaluations()) ?? [] where current.contains("\(record.useCase)/\(record.variant)@\(record.version)") {
            metrics.set("gatehouse_eval_verdict_go", [("use_case", record.useCase), ("variant", record.variant)], record.passed ? 1 : 0)
            guard let gates = try? JSONValue.parse(record.gates), case .array(let list) = gates else { continue }
            for gate in list {
                guard let name = gate["gate"]?.stringValue else { continue }
                metrics.set(
                    "gatehouse_eval_gate_passed", [("use_case", record.useCase), ("variant", record.variant), ("gate", name)],
                    gate["passed"]?.boolValue == true ? 1 : 0)
            }
        }
    }
}
