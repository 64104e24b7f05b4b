/// Accuracy of the PII guard against labelled spans: a found span counts when an expected span of
/// the same type overlaps it (each expected span matches once).
public struct PIIEvaluation: Sendable {
    public struct Counts: Sendable, Hashable {
        public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
            self.truePositives = truePositives
            self.falsePositives = falsePositives
            self.falseNegatives = falseNegatives
        }

        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0

        public var precision: Double { truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives) }
        public var recall: Double { truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives) }
        /// Recall weighs four times precision: a missed card number costs more than a false alarm.
        public var f2: Double {
            let p = precision, r = recall
            return p + r == 0 ? 0 : 5 * p * r / (4 * p + r)
        }
    }

    public private(set) var byType: [PIIType: Counts] = [:]
    /// Texts without any expected span that got at least one finding.
    public private(set) var hardNegativeHits = 0
    public private(set) var hardNegatives = 0

    public init() {}

    public mutating func add(expected: [PIIFinding], found: [PIIFinding]) {
        if expected.isEmpty {
            hardNegatives += 1
            if !found.isEmpty { hardNegativeHits += 1 }
        }
        var matched = Set<Int>()
        for finding in found {
            if let index = expected.indices.first(where: { !matched.contains($0) && expected[$0].type == finding.type && expected[$0].overlaps(finding) }) {
                matched.insert(index)
                byType[finding.type, default: Counts()].truePositives += 1
            } else {
                byType[finding.type, default: Counts()].falsePositives += 1
            }
        }
        for (index, span) in expected.enumerated() where !matched.contains(index) {
            byType[span.type, default: Counts()].falseNegatives += 1
        }
    }

    public var total: Counts {
        byType.values.reduce(into: Counts()) { sum, counts in
            sum.truePositives += counts.truePositives
            sum.falsePositives += counts.falsePositives
            sum.falseNegatives += counts.falseNegatives
        }
    }
}

/// Accuracy of the injection guard: rates at a threshold and the ROC AUC over all thresholds.
public struct InjectionEvaluation: Sendable {
    public private(set) var scored: [(score: Double, isInjection: Bool)] = []

    public init() {}

    public mutating func add(score: Double, isInjection: Bool) {
        scored.append((score, isInjection))
    }

    public var positives: Int { scored.filter(\.isInjection).count }
    public var negatives: Int { scored.count - positives }

    public func truePositiveRate(threshold: Double) -> Double {
        positives == 0 ? 0 : Double(scored.filter { $0.isInjection && $0.score >= threshold }.count) / Double(positives)
    }

    public func falsePositiveRate(threshold: Double) -> Double {
        negatives == 0 ? 0 : Double(scored.filter { !$0.isInjection && $0.score >= threshold }.count) / Double(negatives)
    }

    /// Probability that a random injection scores above a random benign text (ties count half).
    public var rocAUC: Double {
        let positive = scored.filter(\.isInjection).map(\.score)
        let negative = scored.filter { !$0.isInjection }.map(\.score)
        guard !positive.isEmpty, !negative.isEmpty else { return 0 }
        var wins = 0.0
        for p in positive {
            for n in negative { wins += p > n ? 1 : (p == n ? 0.5 : 0) }
        }
        return wins / Double(positive.count * negative.count)
    }
}
