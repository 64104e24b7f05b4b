import Core
import Foundation
import LocalEngine
import Pipeline

/// One labelled item and what the pipeline did with it.
public struct EvaluationOutcome: Sendable {
    public var id: String
    public var expected: JSONValue
    public var output: JSONValue?
    public var decision: Decision
    public var confidence: Double?
    public var latencyMilliseconds: Double
    public var costUSD: Double
    public var schemaValid: Bool
}

/// Runs a labelled dataset through the production pipeline (authentication aside: items run as an
/// internal evaluation principal; guards, routing, output checks and the ledger are the same), and
/// computes the figures the contract's gates are written against.
public struct Evaluator: Sendable {
    let runtime: GatewayRuntime

    public init(runtime: GatewayRuntime) {
        self.runtime = runtime
    }

    public struct Item: Sendable {
        public var id: String
        public var input: JSONValue
        public var expected: JSONValue
    }

    /// Reads `{"id", "input", "expected"}` JSON Lines.
    public static func loadItems(path: String) throws -> [Item] {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.unreadable(path) }
        var items: [Item] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let value = try? JSONValue.parse(String(line)), let input = value["input"], let expected = value["expected"] else {
                throw EvaluationError.badLine(path, number + 1)
            }
            items.append(Item(id: value["id"]?.stringValue ?? "\(number + 1)", input: input, expected: expected))
        }
        guard !items.isEmpty else { throw EvaluationError.empty(path) }
        return items
    }

    /// Runs every item with at most `concurrency` in flight; `progress` is called after each.
    public func run(
        useCase: UseCase, variant: String?, items: [Item], concurrency: Int, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async -> [EvaluationOutcome] {
        let principal = Principal(keyID: "eval", role: .admin, useCases: nil, providers: nil, team: nil, clearance: .restricted)
        var outcomes = [EvaluationOutcome?](repeating: nil, count: items.count)
        await withTaskGroup(of: (Int, EvaluationOutcome).self) { group in
            var next = 0
            var done = 0
            func launch(_ index: Int) {
                let item = items[index]
                group.addTask {
                    let body = JSONValue.object(["input": item.input]).compactJSONData()
                    var context = InvocationContext(route: .evaluation, bearerToken: nil, useCaseID: useCase.id, payload: .invokeBody(Array(body)))
                    context.principal = principal
                    context.requestedVariant = variant
                    let finished = await runtime.run(context)
                    let valid = finished.output.map { useCase.task.outputSchema.validate($0).isEmpty } ?? false
                    return (index, EvaluationOutcome(
                        id: item.id, expected: item.expected, output: finished.output, decision: finished.decision ?? .failed,
                        confidence: finished.confidence, latencyMilliseconds: finished.latencyMilliseconds, costUSD: finished.costUSD,
                        schemaValid: valid))
                }
            }
            while next < min(max(1, concurrency), items.count) { launch(next); next += 1 }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                done += 1
                progress(done)
                if next < items.count { launch(next); next += 1 }
            }
        }
        return outcomes.compactMap { $0 }
    }
}

public enum EvaluationError: Error, CustomStringConvertible {
    case unreadable(String)
    case badLine(String, Int)
    case empty(String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read \(path)"
        case .badLine(let path, let line): "\(path):\(line): expected {\"id\", \"input\": {...}, \"expected\": {...}}"
        case .empty(let path): "\(path) holds no items"
        }
    }
}

/// The figures of one evaluation run.
public struct EvaluationMetrics: Sendable {
    public var values: [String: Double]
    /// Per output field with labels: the classification report.
    public var reports: [String: ClassificationReport]
    public var primaryField: String?
    public var decisions: [String: Int]
    public var items: Int

    /// Classification figures on every labelled output field (the primary one also as `accuracy`,
    /// `macro_f1`, `expected_calibration_error`), schema validity, latency, cost and decision rates.
    public static func compute(_ outcomes: [EvaluationOutcome], useCase: UseCase) -> EvaluationMetrics {
        var values: [String: Double] = [:]
        var reports: [String: ClassificationReport] = [:]
        let fields = labelledFields(useCase)
        for field in fields {
            let labels = useCase.task.labels[field] ?? []
            let expected = outcomes.map { $0.expected[field]?.stringValue ?? "" }
            let predicted = outcomes.map { $0.output?[field]?.stringValue ?? "(none)" }
            reports[field] = ClassificationReport(expected: expected, predicted: predicted, labels: labels)
        }
        let primary = fields.first
        if let primary, let report = reports[primary] {
            values["accuracy"] = report.accuracy
            // Macro-F1 over the contract's labels: a failed item counts as wrong, not as a class of its own.
            let labels = Set(useCase.task.labels[primary] ?? [])
            let figures = report.perLabel.filter { labels.isEmpty || labels.contains($0.label) }
            values["macro_f1"] = figures.isEmpty ? 0 : figures.reduce(0) { $0 + $1.f1 } / Double(figures.count)
            let correct = outcomes.map { $0.expected[primary]?.stringValue == $0.output?[primary]?.stringValue }
            values["expected_calibration_error"] = expectedCalibrationError(confidences: outcomes.map { $0.confidence ?? 0 }, correct: correct)
        }
        let n = Double(max(1, outcomes.count))
        values["schema_valid"] = Double(outcomes.filter(\.schemaValid).count) / n
        let latencies = outcomes.map(\.latencyMilliseconds).sorted()
        values["latency_p50_ms"] = percentile(latencies, 0.5)
        values["latency_p95_ms"] = percentile(latencies, 0.95)
        values["cost_per_item_usd"] = outcomes.reduce(0) { $0 + $1.costUSD } / n
        var decisions: [String: Int] = [:]
        for outcome in outcomes { decisions[outcome.decision.rawValue, default: 0] += 1 }
        values["escalation_rate"] = Double(decisions["escalated"] ?? 0) / n
        values["fallback_rate"] = Double(decisions["fallback"] ?? 0) / n
        return EvaluationMetrics(values: values, reports: reports, primaryField: primary, decisions: decisions, items: outcomes.count)
    }

    /// Output fields with a label set, in the order of the output schema's `required` list.
    static func labelledFields(_ useCase: UseCase) -> [String] {
        let required = useCase.task.outputSchema.root["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let labelled = Set(useCase.task.labels.keys)
        return required.filter(labelled.contains) + labelled.subtracting(required).sorted()
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

/// One gate checked against the figures.
public struct GateVerdict: Sendable {
    public var gate: EvaluationGate
    public var value: Double?
    public var passed: Bool
}

extension EvaluationGate {
    public func check(_ metrics: EvaluationMetrics) -> GateVerdict {
        guard let value = metrics.values[metric] else { return GateVerdict(gate: self, value: nil, passed: false) }
        let passed: Bool
        switch comparison {
        case .greaterOrEqual: passed = value >= threshold
        case .lessOrEqual: passed = value <= threshold
        case .greater: passed = value > threshold
        case .less: passed = value < threshold
        case .equal: passed = abs(value - threshold) < 1e-12
        }
        return GateVerdict(gate: self, value: value, passed: passed)
    }
}

/// A paired bootstrap of the difference between two variants on the same items: resample items
/// with replacement, recompute each metric on both, and take the 2.5th and 97.5th percentiles of
/// the difference.
public enum BootstrapComparison {
    public struct Interval: Sendable {
        public var metric: String
        public var difference: Double
        public var low: Double
        public var high: Double
    }

    public static func compare(
        _ a: [EvaluationOutcome], _ b: [EvaluationOutcome], useCase: UseCase, metrics: [String], resamples: Int = 1000, seed: UInt64 = 7
    ) -> [Interval] {
        precondition(a.count == b.count)
        let base = (EvaluationMetrics.compute(a, useCase: useCase), EvaluationMetrics.compute(b, useCase: useCase))
        var generator = SplitMix(seed: seed)
        var samples: [String: [Double]] = [:]
        for _ in 0..<resamples {
            let indices = (0..<a.count).map { _ in Int(generator.next() % UInt64(a.count)) }
            let ma = EvaluationMetrics.compute(indices.map { a[$0] }, useCase: useCase)
            let mb = EvaluationMetrics.compute(indices.map { b[$0] }, useCase: useCase)
            for metric in metrics {
                if let x = ma.values[metric], let y = mb.values[metric] { samples[metric, default: []].append(y - x) }
            }
        }
        return metrics.compactMap { metric in
            guard let x = base.0.values[metric], let y = base.1.values[metric], var values = samples[metric], !values.isEmpty else { return nil }
            values.sort()
            let low = values[Int(Double(values.count) * 0.025)]
            let high = values[min(values.count - 1, Int(Double(values.count) * 0.975))]
            return Interval(metric: metric, difference: y - x, low: low, high: high)
        }
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
