/// Accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix of one field.
public struct ClassificationReport: Sendable {
    public struct LabelFigures: Sendable, Hashable {
        public var label: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public let labels: [String]
    public let accuracy: Double
    public let macroF1: Double
    public let perLabel: [LabelFigures]
    /// confusion[expected][predicted], indexed like `labels`.
    public let confusion: [[Int]]

    public init(expected: [String], predicted: [String], labels: [String]) {
        var all = labels
        for label in expected + predicted where !all.contains(label) { all.append(label) }
        self.labels = all
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: all.count), count: all.count)
        for (e, p) in zip(expected, predicted) {
            matrix[all.firstIndex(of: e)!][all.firstIndex(of: p)!] += 1
        }
        confusion = matrix
        let correct = zip(expected, predicted).filter { $0 == $1 }.count
        accuracy = expected.isEmpty ? 0 : Double(correct) / Double(expected.count)
        var figures: [LabelFigures] = []
        for (i, label) in all.enumerated() {
            let truePositives = Double(matrix[i][i])
            let predictedCount = Double(matrix.reduce(0) { $0 + $1[i] })
            let support = matrix[i].reduce(0, +)
            let precision = predictedCount == 0 ? 0 : truePositives / predictedCount
            let recall = support == 0 ? 0 : truePositives / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            figures.append(LabelFigures(label: label, precision: precision, recall: recall, f1: f1, support: support))
        }
        perLabel = figures
        let supported = figures.filter { $0.support > 0 }
        macroF1 = supported.isEmpty ? 0 : supported.map(\.f1).reduce(0, +) / Double(supported.count)
    }
}

/// Expected calibration error: the average gap between confidence and accuracy over equal-width bins.
public func expectedCalibrationError(confidences: [Double], correct: [Bool], bins: Int = 10) -> Double {
    guard !confidences.isEmpty, bins > 0 else { return 0 }
    var total = 0.0
    for bin in 0..<bins {
        let low = Double(bin) / Double(bins), high = Double(bin + 1) / Double(bins)
        let members = confidences.indices.filter { confidences[$0] > low && confidences[$0] <= high || (bin == 0 && confidences[$0] == 0) }
        guard !members.isEmpty else { continue }
        let accuracy = Double(members.filter { correct[$0] }.count) / Double(members.count)
        let confidence = members.map { confidences[$0] }.reduce(0, +) / Double(members.count)
        total += Double(members.count) / Double(confidences.count) * abs(accuracy - confidence)
    }
    return total
}
