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
    /// The version of the variant that answered, when it was the one evaluated (not a fallback).
    public var variantVersion: String? = nil
}

/// Runs a labelled dataset through the production pipeline and computes the figures the contract's
/// gates are written against. In process (authentication aside: items run as an internal evaluation
/// principal; guards, routing, output checks and the ledger are the same), or against a running
/// gateway over HTTP with an evaluator key, pinning the variant in the invoke body.
public struct Evaluator: Sendable {
    /// Runs one item's input on a variant (nil: the stable one) and reports what happened.
    public typealias Invoke = @Sendable (_ input: JSONValue, _ variant: String?) async -> InvocationReport

    /// What one invocation produced, wherever it ran.
    public struct InvocationReport: Sendable {
        public var output: JSONValue?
        public var decision: Decision
        public var confidence: Double?
        public var latencyMilliseconds: Double
        public var costUSD: Double
        /// Version of the variant that answered, for an `answered` decision.
        public var variantVersion: String?
        public init(
            output: JSONValue?, decision: Decision, confidence: Double?, latencyMilliseconds: Double, costUSD: Double, variantVersion: String? = nil
        ) {
            self.variantVersion = variantVersion
            self.output = output
            self.decision = decision
            self.confidence = confidence
            self.latencyMilliseconds = latencyMilliseconds
            self.costUSD = costUSD
        }
    }

    let invoke: Invoke

    public init(invoke: @escaping Invoke) {
        self.invoke = invoke
    }

    /// In process, through the runtime's pipeline.
    public init(runtime: GatewayRuntime, useCaseID: String) {
        let principal = Principal(keyID: "eval", role: .admin, useCases: nil, providers: nil, team: nil, clearance: .restricted)
        self.invoke = { input, variant in
            let body = JSONValue.object(["input": input]).compactJSONData()
            var context = InvocationContext(route: .evaluation, bearerToken: nil, useCaseID: useCaseID, payload: .invokeBody(Array(body)))
            context.principal = principal
            context.requestedVariant = variant
            let finished = await runtime.run(context)
            return InvocationReport(
                output: finished.output, decision: finished.decision ?? .failed, confidence: finished.confidence,
                latencyMilliseconds: finished.latencyMilliseconds, costUSD: finished.costUSD,
                variantVersion: finished.decision == .answered ? finished.variant?.version : nil)
        }
    }

    public struct Item: Sendable {
        public var id: String
        public var input: JSONValue
        public var expected: JSONValue
        public init(id: String, input: JSONValue, expected: JSONValue) {
            self.id = id
            self.input = input
            self.expected = expected
        }
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
        var outcomes = [EvaluationOutcome?](repeating: nil, count: items.count)
        let invoke = self.invoke
        await withTaskGroup(of: (Int, EvaluationOutcome).self) { group in
            var next = 0
            var done = 0
            func launch(_ index: Int) {
                let item = items[index]
                group.addTask {
                    let report = await invoke(item.input, variant)
                    let valid = report.output.map { useCase.task.outputSchema.validate($0).isEmpty } ?? false
                    return (index, EvaluationOutcome(
                        id: item.id, expected: item.expected, output: report.output, decision: report.decision,
                        confidence: report.confidence, latencyMilliseconds: report.latencyMilliseconds, costUSD: report.costUSD,
                        schemaValid: valid, variantVersion: report.variantVersion))
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
        // The decision mix: answered, fallback, escalated, refused, blocked, failed.
        values["answered_rate"] = Double(decisions["answered"] ?? 0) / n
        values["escalation_rate"] = Double(decisions["escalated"] ?? 0) / n
        values["fallback_rate"] = Double(decisions["fallback"] ?? 0) / n
        values["refusal_rate"] = Double(decisions["refused"] ?? 0) / n
        values["blocked_rate"] = Double(decisions["blocked"] ?? 0) / n
        values["failure_rate"] = Double(decisions["failed"] ?? 0) / n
        if useCase.task.kind == .extract {
            values.merge(extractionFigures(outcomes)) { $1 }
        }
        values.merge(refusalFigures(outcomes)) { $1 }
        return EvaluationMetrics(values: values, reports: reports, primaryField: primary, decisions: decisions, items: outcomes.count)
    }

    /// Extraction: per expected field, exact match (strings compared trimmed, case- and
    /// space-insensitively) and F1 (word overlap for strings, element overlap for arrays, exact match
    /// otherwise); `exact_match` is the share of items with every field right; `field_exact_match` and
    /// `field_f1` average the fields.
    static func extractionFigures(_ outcomes: [EvaluationOutcome]) -> [String: Double] {
        var fields: [String] = []
        for outcome in outcomes {
            for key in outcome.expected.objectValue?.keys.sorted() ?? [] where !fields.contains(key) { fields.append(key) }
        }
        guard !fields.isEmpty else { return [:] }
        var values: [String: Double] = [:]
        var exactSums = [String: Double](), f1Sums = [String: Double](), counts = [String: Int]()
        var allRight = 0
        for outcome in outcomes {
            var itemRight = true
            for field in fields {
                guard let expected = outcome.expected[field] else { continue }
                let actual = outcome.output?[field] ?? .null
                let exact = FieldMatch.exact(expected, actual)
                exactSums[field, default: 0] += exact ? 1 : 0
                f1Sums[field, default: 0] += FieldMatch.f1(expected, actual)
                counts[field, default: 0] += 1
                if !exact { itemRight = false }
            }
            if itemRight { allRight += 1 }
        }
        for field in fields {
            let count = Double(max(1, counts[field] ?? 0))
            values["field_exact_match.\(field)"] = (exactSums[field] ?? 0) / count
            values["field_f1.\(field)"] = (f1Sums[field] ?? 0) / count
        }
        values["exact_match"] = Double(allRight) / Double(max(1, outcomes.count))
        values["field_exact_match"] = fields.reduce(0) { $0 + values["field_exact_match.\($1)"]! } / Double(fields.count)
        values["field_f1"] = fields.reduce(0) { $0 + values["field_f1.\($1)"]! } / Double(fields.count)
        return values
    }

    /// Refusal correctness on items labelled `"answerable": true|false`: the system declined (decision
    /// `refused`, or an output with `"answerable": false` or `"refused": true`) exactly when the item is
    /// unanswerable. Also the share of unanswerable items declined and of answerable items answered.
    static func refusalFigures(_ outcomes: [EvaluationOutcome]) -> [String: Double] {
        var correct = 0, labelled = 0, unanswerable = 0, declinedUnanswerable = 0, answerable = 0, answeredAnswerable = 0
        for outcome in outcomes {
            guard case .bool(let isAnswerable)? = outcome.expected["answerable"] else { continue }
            labelled += 1
            let declined = outcome.decision == .refused || outcome.output?["answerable"] == .bool(false) || outcome.output?["refused"] == .bool(true)
            let answered = !declined && (outcome.decision == .answered || outcome.decision == .fallback) && outcome.output != nil
            if isAnswerable {
                answerable += 1
                if answered { answeredAnswerable += 1; correct += 1 }
            } else {
                unanswerable += 1
                if declined { declinedUnanswerable += 1; correct += 1 }
            }
        }
        guard labelled > 0 else { return [:] }
        var values = ["refusal_correctness": Double(correct) / Double(labelled)]
        if unanswerable > 0 { values["unanswerable_declined_rate"] = Double(declinedUnanswerable) / Double(unanswerable) }
        if answerable > 0 { values["answerable_answered_rate"] = Double(answeredAnswerable) / Double(answerable) }
        return values
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

/// How an extracted value compares with the expected one.
enum FieldMatch {
    static func normalised(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func exact(_ expected: JSONValue, _ actual: JSONValue) -> Bool {
        switch (expected, actual) {
        case (.string(let a), .string(let b)): return normalised(a) == normalised(b)
        case (.number(let a), .number(let b)): return abs(a - b) < 1e-9
        case (.number(let a), .string(let b)): return Double(b.trimmingCharacters(in: .whitespaces)).map { abs($0 - a) < 1e-9 } ?? false
        case (.array(let a), .array(let b)):
            return Set(a.map(canonical)) == Set(b.map(canonical))
        default: return canonical(expected) == canonical(actual)
        }
    }

    static func f1(_ expected: JSONValue, _ actual: JSONValue) -> Double {
        switch (expected, actual) {
        case (.string(let a), .string(let b)):
            return overlapF1(normalised(a).split(separator: " ").map(String.init), normalised(b).split(separator: " ").map(String.init))
        case (.array(let a), .array(let b)):
            return overlapF1(a.map(canonical), b.map(canonical))
        default:
            return exact(expected, actual) ? 1 : 0
        }
    }

    /// F1 of two bags of tokens (multiset overlap); two empty bags agree.
    static func overlapF1(_ expected: [String], _ actual: [String]) -> Double {
        if expected.isEmpty && actual.isEmpty { return 1 }
        guard !expected.isEmpty, !actual.isEmpty else { return 0 }
        var remaining: [String: Int] = [:]
        for token in expected { remaining[token, default: 0] += 1 }
        var common = 0
        for token in actual where (remaining[token] ?? 0) > 0 {
            remaining[token]! -= 1
            common += 1
        }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(actual.count), recall = Double(common) / Double(expected.count)
        return 2 * precision * recall / (precision + recall)
    }

    static func canonical(_ value: JSONValue) -> String {
        if case .string(let text) = value { return normalised(text) }
        return value.compactJSONString()
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
