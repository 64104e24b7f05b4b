/// Accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix of one output field,
/// so every evaluation in Gatehouse computes its figures the same way.
public struct ClassificationReport: Sendable, Hashable {
    public struct LabelFigures: Sendable, Hashable {
        public var label: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// How many examples expected this label.
        public var support: Int
    }

    /// `labels` as given, then any other label found in `expected` or `predicted`, in order of appearance.
    public let labels: [String]
    public let accuracy: Double
    /// Unweighted mean F1 over the labels that occur in `expected` or `predicted` (a label listed but
    /// absent from both would only add a meaningless 0).
    public let macroF1: Double
    /// Indexed like `labels`.
    public let perLabel: [LabelFigures]
    /// `confusion[expected][predicted]`, indexed like `labels`.
    public let confusion: [[Int]]

    /// `expected[i]` and `predicted[i]` are the labels of example i; extra elements of the longer
    /// array are ignored.
    public init(expected: [String], predicted: [String], labels: [String]) {
        var all: [String] = []
        var index: [String: Int] = [:]
        let count = min(expected.count, predicted.count)
        for label in labels + expected.prefix(count) + predicted.prefix(count) where index[label] == nil {
            index[label] = all.count
            all.append(label)
        }
        self.labels = all
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: all.count), count: all.count)
        var correct = 0
        for (e, p) in zip(expected, predicted) {
            matrix[index[e]!][index[p]!] += 1
            if e == p { correct += 1 }
        }
        confusion = matrix
        accuracy = count == 0 ? 0 : Double(correct) / Double(count)
        var figures: [LabelFigures] = []
        var f1Sum = 0.0, present = 0
        for (i, label) in all.enumerated() {
            let truePositives = Double(matrix[i][i])
            let predictedCount = matrix.reduce(0) { $0 + $1[i] }
            let support = matrix[i].reduce(0, +)
            let precision = predictedCount == 0 ? 0 : truePositives / Double(predictedCount)
            let recall = support == 0 ? 0 : truePositives / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            figures.append(LabelFigures(label: label, precision: precision, recall: recall, f1: f1, support: support))
            if support > 0 || predictedCount > 0 {
                f1Sum += f1
                present += 1
            }
        }
        perLabel = figures
        macroF1 = present == 0 ? 0 : f1Sum / Double(present)
    }
}

/// Expected calibration error: the gap between confidence and accuracy in each of `bins`
/// equal-width confidence bins, averaged with each bin weighted by its share of the predictions.
/// Bin b holds confidences in [b/bins, (b+1)/bins), the last one also 1. 0 is perfect calibration.
public func expectedCalibrationError(confidences: [Double], correct: [Bool], bins: Int = 10) -> Double {
    let count = min(confidences.count, correct.count)
    guard count > 0, bins > 0 else { return 0 }
    var confidenceSum = [Double](repeating: 0, count: bins)
    var correctCount = [Double](repeating: 0, count: bins)
    for i in 0..<count {
        let confidence = min(max(confidences[i], 0), 1)
        let bin = min(bins - 1, Int(confidence * Double(bins)))
        confidenceSum[bin] += confidence
        if correct[i] { correctCount[bin] += 1 }
    }
    var total = 0.0
    for bin in 0..<bins { total += abs(correctCount[bin] - confidenceSum[bin]) }
    return total / Double(count)
}
