import Foundation

/// Everything besides the data that determines a trained model; part of the model cache key.
///
/// The defaults were chosen by 5-fold cross-validation on the ticket-triage training set, folds
/// split by scenario (so a fold never holds a rewording of a ticket it is tested on).
public struct TrainingSettings: Sendable, Hashable {
    /// Passes over the data; the learning rate decays linearly over all of them.
    public var epochs: Int
    /// Initial SGD step size (feature vectors have unit length).
    public var learningRate: Float
    /// L2 penalty, applied to every weight at every step.
    public var l2: Float
    /// Seeds the shuffles and the calibration hold-out: same data and seed, same model.
    public var seed: UInt64
    public var hasher: FeatureHasher
    /// Inverse document frequency weighting of the hashed features, fitted on the training texts.
    public var inverseDocumentFrequency: Bool
    /// Weights each example by n / (labels × its label's count), so a rare label (an urgent
    /// priority) is not drowned by the common one; helped rare labels without costing accuracy.
    public var balanceClasses: Bool
    /// Share of the training data held out to fit the calibration temperature (0 disables calibration).
    public var calibrationShare: Double
    /// Holds out near-duplicate texts together (see `NearDuplicates`); without it the held-out part
    /// looks easier than new tickets and the model stays overconfident.
    public var groupNearDuplicates: Bool

    public init(
        epochs: Int = 12, learningRate: Float = 1.5, l2: Float = 1e-5, seed: UInt64 = 42, hasher: FeatureHasher = FeatureHasher(),
        inverseDocumentFrequency: Bool = true, balanceClasses: Bool = true, calibrationShare: Double = 0.15, groupNearDuplicates: Bool = true
    ) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.l2 = l2
        self.seed = seed
        self.hasher = hasher
        self.inverseDocumentFrequency = inverseDocumentFrequency
        self.balanceClasses = balanceClasses
        self.calibrationShare = calibrationShare
        self.groupNearDuplicates = groupNearDuplicates
    }

    var options: SoftmaxRegression.Options {
        SoftmaxRegression.Options(epochs: epochs, learningRate: learningRate, l2: l2, seed: seed, balanceClasses: balanceClasses)
    }
}

/// One label with its calibrated confidence and the whole distribution.
public struct Prediction: Sendable, Hashable {
    public var label: String
    /// The calibrated probability of `label`, the largest of `probabilities`.
    public var confidence: Double
    /// Calibrated probability of every label of the head; they sum to 1.
    public var probabilities: [String: Double]

    public init(label: String, confidence: Double, probabilities: [String: Double]) {
        self.label = label
        self.confidence = confidence
        self.probabilities = probabilities
    }
}

/// Multinomial logistic regression over hashed n-gram features, for one output field.
///
/// Calibration is temperature scaling (Guo et al., 2017). The examples are grouped into
/// near-duplicates (see `NearDuplicates`), the groups shuffled with the seed, and whole groups held
/// out until they make `calibrationShare` of the data (15% by default). A first model is fitted on
/// the rest, and the temperature T minimising the negative log-likelihood of softmax(logits / T) on
/// the held-out examples is kept. The model is then refitted on all examples and serves
/// softmax(logits / T). T changes how sure the model sounds, never which label wins, so
/// `confidence` becomes an honest estimate of how often such an answer is right, which is what an
/// escalation threshold needs. With fewer than 8 held-out examples T stays 1.
public struct TextClassifier: Sendable {
    /// The labels this head can answer, in a fixed order.
    public let labels: [String]
    /// The calibration temperature (> 0) dividing the logits.
    public let temperature: Float
    let space: FeatureSpace
    /// Feature-major: `weights[feature * labels.count + label]`.
    let weights: [Float]
    let bias: [Float]

    init(labels: [String], temperature: Float, space: FeatureSpace, weights: [Float], bias: [Float]) {
        self.labels = labels
        self.temperature = temperature
        self.space = space
        self.weights = weights
        self.bias = bias
    }

    /// Trains a standalone head; `labels[i]` is the label of `texts[i]`. The head's labels are
    /// `knownLabels` first, then any other seen in the data.
    public static func train(
        texts: [String], labels: [String], knownLabels: [String] = [], field: String = "label", settings: TrainingSettings = .init()
    ) throws(LocalEngineError) -> TextClassifier {
        precondition(texts.count == labels.count, "one label per text")
        var scratch = FeatureHasher.Scratch()
        let blocks = texts.map { settings.hasher.counts($0, scratch: &scratch) }
        let space = FeatureSpace.fit(hasher: settings.hasher, corpus: blocks, useIDF: settings.inverseDocumentFrequency)
        let matrix = SparseMatrix(blocks.map(space.vector))
        let groups = settings.groupNearDuplicates ? NearDuplicates.groups(blocks.map(space.wordVector)) : Array(blocks.indices)
        return try train(
            field: field, labels: labels.map { Optional($0) }, knownLabels: knownLabels, matrix: matrix, groups: groups, space: space,
            settings: settings)
    }

    /// Trains on pre-computed feature rows; `labels[i]` is the label of row i, nil to skip the row;
    /// `groups[i]` is the near-duplicate group of row i (held out whole or not at all).
    static func train(
        field: String, labels rowLabels: [String?], knownLabels: [String], matrix: SparseMatrix, groups: [Int], space: FeatureSpace,
        settings: TrainingSettings
    ) throws(LocalEngineError) -> TextClassifier {
        var labels: [String] = []
        var labelIndex: [String: Int] = [:]
        for label in knownLabels where labelIndex[label] == nil {
            labelIndex[label] = labels.count
            labels.append(label)
        }
        var rows: [Int] = []
        var targets = [Int](repeating: 0, count: rowLabels.count)
        var seen = Set<String>()
        for (row, label) in rowLabels.enumerated() {
            guard let label else { continue }
            if labelIndex[label] == nil {
                labelIndex[label] = labels.count
                labels.append(label)
            }
            targets[row] = labelIndex[label]!
            rows.append(row)
            seen.insert(label)
        }
        guard seen.count >= 2 else { throw .singleClass(field: field, label: seen.first) }

        let dimension = space.hasher.dimension
        let classes = labels.count
        var temperature: Float = 1
        let heldOutCount = Int(Double(rows.count) * min(max(settings.calibrationShare, 0), 0.5))
        if heldOutCount >= 8 {
            let (heldOut, fitting) = holdOut(rows: rows, groups: groups, count: heldOutCount, seed: settings.seed)
            let fitted = SoftmaxRegression.fit(
                classes: classes, dimension: dimension, matrix: matrix, targets: targets, rows: fitting, options: settings.options)
            let logits = heldOut.map { row in
                rawLogits(weights: fitted.weights, bias: fitted.bias, classes: classes, matrix: matrix, row: row)
            }
            temperature = SoftmaxRegression.fitTemperature(logits: logits, targets: heldOut.map { targets[$0] })
        }
        let parameters = SoftmaxRegression.fit(
            classes: classes, dimension: dimension, matrix: matrix, targets: targets, rows: rows, options: settings.options)
        return TextClassifier(labels: labels, temperature: temperature, space: space, weights: parameters.weights, bias: parameters.bias)
    }

    /// Whole near-duplicate groups, in seeded random order, until `count` rows are held out.
    static func holdOut(rows: [Int], groups: [Int], count: Int, seed: UInt64) -> (heldOut: [Int], fitting: [Int]) {
        var members: [Int: [Int]] = [:]
        var order = ContiguousArray<Int>()
        for row in rows {
            if members[groups[row]] == nil { order.append(groups[row]) }
            members[groups[row], default: []].append(row)
        }
        var generator = SplitMix64(seed: seed ^ 0xca11_b7a7)
        generator.shuffle(&order)
        var heldOut: [Int] = [], fitting: [Int] = []
        for group in order {
            if heldOut.count < count { heldOut += members[group]! } else { fitting += members[group]! }
        }
        return (heldOut.sorted(), fitting.sorted())
    }

    private static func rawLogits(weights: [Float], bias: [Float], classes: Int, matrix: SparseMatrix, row: Int) -> [Float] {
        var output = [Float](repeating: 0, count: classes)
        let range = matrix.offsets[row]..<matrix.offsets[row + 1]
        weights.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                matrix.indices[range].withUnsafeBufferPointer { indices in
                    matrix.values[range].withUnsafeBufferPointer { values in
                        output.withUnsafeMutableBufferPointer { o in
                            SoftmaxRegression.logits(w, b, classes: classes, indices: indices, values: values, into: o)
                        }
                    }
                }
            }
        }
        return output
    }

    /// Calibrated prediction for one text.
    public func predict(_ text: String) -> Prediction {
        predict(vector: space.vector(text))
    }

    /// Calibrated probabilities, in the order of `labels`.
    func probabilities(vector: SparseVector) -> [Float] {
        var output = [Float](repeating: 0, count: labels.count)
        let inverseTemperature = 1 / temperature
        weights.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                vector.indices.withUnsafeBufferPointer { indices in
                    vector.values.withUnsafeBufferPointer { values in
                        output.withUnsafeMutableBufferPointer { o in
                            SoftmaxRegression.logits(w, b, classes: labels.count, indices: indices, values: values, into: o)
                            for c in 0..<o.count { o[c] *= inverseTemperature }
                            SoftmaxRegression.softmax(o)
                        }
                    }
                }
            }
        }
        return output
    }

    func predict(vector: SparseVector) -> Prediction {
        let p = probabilities(vector: vector)
        var best = 0
        var distribution: [String: Double] = [:]
        distribution.reserveCapacity(labels.count)
        for c in 0..<p.count {
            if p[c] > p[best] { best = c }
            distribution[labels[c]] = Double(p[c])
        }
        return Prediction(label: labels[best], confidence: Double(p[best]), probabilities: distribution)
    }
}
