import Foundation

/// Training settings of the local classifier; part of the model cache key.
public struct TrainingSettings: Sendable, Hashable {
    public var epochs: Int
    public var learningRate: Float
    public var l2: Float
    public var seed: UInt64
    public var hasher: FeatureHasher
    /// Share of the training data held out to fit the calibration temperature.
    public var calibrationShare: Double

    public init(
        epochs: Int = 12, learningRate: Float = 0.5, l2: Float = 1e-6, seed: UInt64 = 42, hasher: FeatureHasher = FeatureHasher(),
        calibrationShare: Double = 0.15
    ) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.l2 = l2
        self.seed = seed
        self.hasher = hasher
        self.calibrationShare = calibrationShare
    }
}

/// One label with its calibrated confidence and the full distribution.
public struct Prediction: Sendable, Hashable {
    public var label: String
    public var confidence: Double
    public var probabilities: [String: Double]
}

/// Multinomial logistic regression over hashed n-gram features, for one output field.
///
/// Probabilities are calibrated by temperature scaling: after a first fit on 85% of the data, the
/// temperature that minimises the negative log-likelihood of the held-out 15% is kept, then the model
/// is refit on everything. A confidence of 0.8 then means about 80% of such answers are right, which
/// is what escalation thresholds need.
public struct TextClassifier: Sendable {
    public let labels: [String]
    public let temperature: Float
    let hasher: FeatureHasher
    /// Row-major: weights[label * dimension + feature].
    let weights: [Float]
    let bias: [Float]

    init(labels: [String], temperature: Float, hasher: FeatureHasher, weights: [Float], bias: [Float]) {
        self.labels = labels
        self.temperature = temperature
        self.hasher = hasher
        self.weights = weights
        self.bias = bias
    }

    /// Trains on pre-computed features; `targets[i]` indexes `labels`.
    static func train(labels: [String], features: [SparseVector], targets: [Int], settings: TrainingSettings) -> TextClassifier {
        var generator = SplitMix64(seed: settings.seed)
        var order = Array(features.indices)
        order.shuffle(using: &generator)
        let holdout = features.count >= 40 ? Int(Double(features.count) * settings.calibrationShare) : 0
        var temperature: Float = 1
        if holdout > 0 {
            let fitIndices = Array(order.dropFirst(holdout))
            let heldOut = Array(order.prefix(holdout))
            let (w, b) = fit(labels.count, features, targets, fitIndices, settings)
            temperature = fitTemperature(labels.count, features, targets, heldOut, w, b, settings.hasher.dimension)
        }
        let (w, b) = fit(labels.count, features, targets, order, settings)
        return TextClassifier(labels: labels, temperature: temperature, hasher: settings.hasher, weights: w, bias: b)
    }

    private static func fit(
        _ classes: Int, _ features: [SparseVector], _ targets: [Int], _ indices: [Int], _ settings: TrainingSettings
    ) -> ([Float], [Float]) {
        let dimension = settings.hasher.dimension
        var weights = [Float](repeating: 0, count: classes * dimension)
        var bias = [Float](repeating: 0, count: classes)
        var order = indices
        var generator = SplitMix64(seed: settings.seed &+ 1)
        var logits = [Float](repeating: 0, count: classes)
        for epoch in 0..<settings.epochs {
            order.shuffle(using: &generator)
            let rate = settings.learningRate / (1 + Float(epoch) * 0.3)
            weights.withUnsafeMutableBufferPointer { w in
                for i in order {
                    let x = features[i]
                    for c in 0..<classes {
                        var sum = bias[c]
                        let base = c * dimension
                        for k in x.indices.indices { sum += w[base + Int(x.indices[k])] * x.values[k] }
                        logits[c] = sum
                    }
                    softmaxInPlace(&logits)
                    for c in 0..<classes {
                        let gradient = logits[c] - (c == targets[i] ? 1 : 0)
                        if gradient == 0 { continue }
                        let base = c * dimension
                        for k in x.indices.indices {
                            let j = base + Int(x.indices[k])
                            w[j] -= rate * (gradient * x.values[k] + settings.l2 * w[j])
                        }
                        bias[c] -= rate * gradient * 0.1
                    }
                }
            }
        }
        return (weights, bias)
    }

    private static func fitTemperature(
        _ classes: Int, _ features: [SparseVector], _ targets: [Int], _ indices: [Int], _ weights: [Float], _ bias: [Float], _ dimension: Int
    ) -> Float {
        let raw: [[Float]] = indices.map { i in
            (0..<classes).map { c in
                var sum = bias[c]
                let x = features[i]
                for k in x.indices.indices { sum += weights[c * dimension + Int(x.indices[k])] * x.values[k] }
                return sum
            }
        }
        var best: (Float, Double) = (1, .infinity)
        var t: Float = 0.2
        while t <= 5.0 {
            var nll = 0.0
            for (row, i) in zip(raw, indices) {
                var scaled = row.map { $0 / t }
                softmaxInPlace(&scaled)
                nll -= log(Double(max(scaled[targets[i]], 1e-9)))
            }
            if nll < best.1 { best = (t, nll) }
            t += 0.05
        }
        return best.0
    }

    func predict(features x: SparseVector) -> Prediction {
        let dimension = hasher.dimension
        var logits = [Float](repeating: 0, count: labels.count)
        weights.withUnsafeBufferPointer { w in
            for c in labels.indices {
                var sum = bias[c]
                let base = c * dimension
                for k in x.indices.indices { sum += w[base + Int(x.indices[k])] * x.values[k] }
                logits[c] = sum / temperature
            }
        }
        Self.softmaxInPlace(&logits)
        var best = 0
        for c in logits.indices where logits[c] > logits[best] { best = c }
        var distribution: [String: Double] = [:]
        for (c, label) in labels.enumerated() { distribution[label] = Double(logits[c]) }
        return Prediction(label: labels[best], confidence: Double(logits[best]), probabilities: distribution)
    }

    static func softmaxInPlace(_ values: inout [Float]) {
        let maximum = values.max() ?? 0
        var total: Float = 0
        for i in values.indices {
            values[i] = exp(values[i] - maximum)
            total += values[i]
        }
        for i in values.indices { values[i] /= total }
    }
}
