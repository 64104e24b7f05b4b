import Foundation
import Core
import Governance
import Guards

/// Writes the ledger row of an invocation, rejected ones included, with payloads as the data policy allows.
public struct RecordStage: Sendable {
    public init() {}

    public func record(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async {
        let started = ContinuousClock.now
        if context.decision == nil { context.decision = context.error == nil ? .answered : .failed }
        context.latencyMilliseconds = context.elapsedMilliseconds
        settle(&context, environment)
        await enqueueForReview(context, environment)
        let entry = ledgerEntry(for: context, environment)
        if context.principal == nil && context.error != nil {
            // Nobody authenticated this request: recorded only when the ledger has room, so a flood
            // of bad keys cannot make real traffic wait for the ledger. Drops are counted.
            if !(await environment.ledger.recordIfRoom(entry)) { context.ledgerDropped = true }
        } else {
            do {
                try await environment.ledger.record(entry)
            } catch {
                // The answer still goes out; readiness reports the store, and the caller's request is not lost.
                context.ledgerError = true
            }
        }
        context.stageTimings.append(("record", (ContinuousClock.now - started).milliseconds))
    }

    /// Settles the budget reservation to the actual cost (alerts for thresholds crossed go out from
    /// the governance hook) and keeps a deterministic answer in the response cache.
    func settle(_ context: inout InvocationContext, _ environment: PipelineEnvironment) {
        let governance = environment.governance
        if let slot = context.concurrencySlot {
            governance.gate.release(slot)
            context.concurrencySlot = nil
            if context.queueWaitMilliseconds > 0 { context.stageTimings.append(("queue_wait", context.queueWaitMilliseconds)) }
        }
        if let reservation = context.reservation {
            let crossings = governance.budgets.settle(reservation, actual: Nanodollars(usd: context.costUSD))
            context.reservation = nil
            if !crossings.isEmpty { governance.onCrossing(crossings, context.useCase?.id) }
        }
        if let key = context.cacheKey, !context.cacheHit, context.error == nil, context.decision == .answered,
            let useCase = context.useCase, let policy = useCase.cache, let output = context.output,
            let cache = governance.caches[useCase.id], context.answeringVariant?.name == context.variant?.name
        {
            cache.store(
                CachedAnswer(output: output, confidence: context.confidence, costUSD: context.costUSD, variant: context.variant?.name ?? ""),
                for: key, ttl: Double(policy.ttlSeconds))
        }
    }

    /// An escalated invocation becomes a review item, with input and output as the reviewer sees them:
    /// personal data replaced by its type (the reviewer judges the decision, not the person).
    func enqueueForReview(_ context: InvocationContext, _ environment: PipelineEnvironment) async {
        guard context.decision == .escalated, context.route != .evaluation, let reviews = environment.reviews, let useCase = context.useCase else { return }
        let detector = environment.guards.pii
        let redact = { (value: JSONValue) -> String in
            JSONStrings.map(value) { PIIRedaction.redact($0, detector.detect($0)) }.compactJSONString()
        }
        let output = context.output ?? context.proposedAction.map { ["proposed_action": $0] }
        let item = ReviewItem(
            invocationID: context.id, useCase: useCase.id, reason: context.escalationReasons.map(\.description).joined(separator: "; "),
            createdAt: context.startedAt, input: context.input.map(redact), output: output.map(redact),
            callbackURL: context.callerContext?["callback_url"]?.stringValue)
        try? await reviews.enqueue(item)
    }

    public func ledgerEntry(for context: InvocationContext, _ environment: PipelineEnvironment) -> LedgerEntry {
        let mode = context.useCase?.dataPolicy.payloadLogging ?? .none
        var inputPayload: String?
        var outputPayload: String?
        switch mode {
        case .none:
            break
        case .redacted:
            let detector = environment.guards.pii
            let redact = { (value: JSONValue) -> String in
                JSONStrings.map(value) { PIIRedaction.redact($0, detector.detect($0)) }.compactJSONString()
            }
            inputPayload = context.input.map(redact)
            outputPayload = context.output.map(redact)
        case .hashed:
            inputPayload = context.input.map { environment.digester.digest($0.compactJSONString()) }
            outputPayload = context.output.map { environment.digester.digest($0.compactJSONString()) }
        case .full:
            inputPayload = context.input?.compactJSONString()
            outputPayload = context.output?.compactJSONString()
        }
        let served = context.lastResponse?.target
        var entry = LedgerEntry(
            id: context.id, createdAt: context.startedAt, keyID: context.principal?.keyID, route: context.route,
            useCase: context.useCase?.id ?? context.useCaseID, variant: context.answeringVariant?.name ?? context.variant?.name,
            variantVersion: context.answeringVariant?.version ?? context.variant?.version,
            provider: served?.provider ?? context.attempts.last?.provider, model: served?.model ?? context.attempts.last?.model,
            decision: context.decision ?? .failed, httpStatus: context.httpStatus, errorCode: context.error?.code.rawValue,
            latencyMilliseconds: context.latencyMilliseconds,
            stageTimings: Dictionary(context.stageTimings.map { ($0.stage, $0.milliseconds) }, uniquingKeysWith: +),
            attempts: context.attempts, inputTokens: context.usage.inputTokens, outputTokens: context.usage.outputTokens,
            tokensEstimated: context.usage.estimated, costUSD: context.costUSD, confidence: context.confidence,
            escalationReasons: context.escalationReasons.map(\.description), streamed: context.streamed,
            streamOutcome: context.streamOutcome, payloadMode: mode.rawValue, inputPayload: inputPayload,
            outputPayload: outputPayload, traceID: context.traceID)
        entry.team = context.principal?.team
        if !context.guardReport.isEmpty { entry.guardReport = context.guardReport.json.compactJSONString() }
        entry.cacheHit = context.cacheHit
        entry.savedCostUSD = context.cacheHit ? context.savedCostUSD : 0
        if inputPayload != nil || outputPayload != nil {
            if let days = context.useCase?.dataPolicy.retentionDays, days >= 0 {
                entry.payloadExpiresAt = context.startedAt.addingTimeInterval(Double(days) * 86_400)
            }
        }
        if let subject = context.callerContext?["data_subject"]?.stringValue, !subject.isEmpty {
            entry.subjectDigest = environment.digester.digest("data-subject:" + subject)
        }
        return entry
    }
}
