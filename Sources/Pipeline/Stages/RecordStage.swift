import Foundation
import Core
import Guards

/// Writes the ledger row of an invocation, rejected ones included, with payloads as the data policy allows.
public struct RecordStage: Sendable {
    public init() {}

    public func record(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async {
        let started = ContinuousClock.now
        if context.decision == nil { context.decision = context.error == nil ? .answered : .failed }
        context.latencyMilliseconds = context.elapsedMilliseconds
        let entry = ledgerEntry(for: context, environment)
        do {
            try await environment.ledger.record(entry)
        } catch {
            // The answer still goes out; readiness reports the store, and the caller's request is not lost.
            context.ledgerError = true
        }
        context.stageTimings.append(("record", (ContinuousClock.now - started).milliseconds))
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
