import Foundation

/// Rows of sparse feature vectors in one flat buffer (compressed sparse rows), so the training loop
/// walks contiguous memory instead of an array of arrays.
struct SparseMatrix: Sendable {
    var offsets: ContiguousArray<Int> = [0]
    var indices = ContiguousArray<Int32>()
    var values = ContiguousArray<Float>()

    init() {}

    init(_ rows: [SparseVector]) {
        offsets.reserveCapacity(rows.count + 1)
        let total = rows.reduce(0) { $0 + $1.count }
        indices.reserveCapacity(total)
        values.reserveCapacity(total)
        for row in rows { append(row) }
    }

    mutating func append(_ row: SparseVector) {
        indices.append(contentsOf: row.indices)
        values.append(contentsOf: row.values)
        offsets.append(indices.count)
    }

    var rowCount: Int { offsets.count - 1 }
}

/// Multinomial logistic regression trained by shuffled SGD with an exact L2 penalty.
///
/// Weights are stored feature-major (`weights[feature * classes + class]`), so the classes of one
/// feature share a cache line. The L2 penalty shrinks every weight at every step; it is applied
/// through a global scale factor (w = scale * v), which keeps each step O(non-zeros).
enum SoftmaxRegression {
    struct Parameters: Sendable {
        var weights: [Float]
        var bias: [Float]
    }

    struct Options: Sendable {
        var epochs: Int
        var learningRate: Float
        var l2: Float
        var seed: UInt64
        var balanceClasses: Bool
    }

    static func fit(classes: Int, dimension: Int, matrix: SparseMatrix, targets: [Int], rows: [Int], options: Options) -> Parameters {
        var weights = [Float](repeating: 0, count: classes * dimension)
        var bias = [Float](repeating: 0, count: classes)
        var gradient = [Float](repeating: 0, count: classes)
        var order = ContiguousArray(rows)
        var generator = SplitMix64(seed: options.seed)
        var scale: Float = 1
        var step = 0
        let total = max(1, options.epochs * order.count)
        var classWeight = [Float](repeating: 1, count: classes)
        if options.balanceClasses {
            var counts = [Float](repeating: 0, count: classes)
            for row in rows { counts[targets[row]] += 1 }
            for c in 0..<classes where counts[c] > 0 { classWeight[c] = Float(rows.count) / (Float(classes) * counts[c]) }
        }
        weights.withUnsafeMutableBufferPointer { w in
            bias.withUnsafeMutableBufferPointer { b in
                gradient.withUnsafeMutableBufferPointer { p in
                    matrix.offsets.withUnsafeBufferPointer { offsets in
                        matrix.indices.withUnsafeBufferPointer { indices in
                            matrix.values.withUnsafeBufferPointer { values in
                                targets.withUnsafeBufferPointer { targets in
                                    for _ in 0..<options.epochs {
                                        generator.shuffle(&order)
                                        for row in order {
                                            // Linear decay to a tenth of the initial rate: large steps
                                            // early, fine ones at the end.
                                            let rate = options.learningRate * (1 - 0.9 * Float(step) / Float(total))
                                            step += 1
                                            let start = offsets[row], end = offsets[row + 1]
                                            for c in 0..<classes { p[c] = 0 }
                                            for k in start..<end {
                                                let base = Int(indices[k]) &* classes
                                                let x = values[k]
                                                for c in 0..<classes { p[c] += w[base &+ c] * x }
                                            }
                                            for c in 0..<classes { p[c] = p[c] * scale + b[c] }
                                            softmax(p)
                                            p[targets[row]] -= 1  // now the gradient of the loss w.r.t. the logits
                                            scale *= 1 - rate * options.l2
                                            let factor = rate / scale * classWeight[targets[row]]
                                            for k in start..<end {
                                                let base = Int(indices[k]) &* classes
                                                let x = values[k] * factor
                                                for c in 0..<classes { w[base &+ c] -= p[c] * x }
                                            }
                                            for c in 0..<classes { b[c] -= rate * classWeight[targets[row]] * p[c] }
                                            if scale < 1e-4 {
                                                for j in 0..<w.count { w[j] *= scale }
                                                scale = 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if scale != 1 { for j in 0..<w.count { w[j] *= scale } }
        }
        return Parameters(weights: weights, bias: bias)
    }

    /// Raw scores (logits) of one row.
    @inline(__always)
    static func logits(
        _ w: UnsafeBufferPointer<Float>, _ bias: UnsafeBufferPointer<Float>, classes: Int,
        indices: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
    ) {
        for c in 0..<classes { output[c] = bias[c] }
        for k in 0..<indices.count {
            let base = Int(indices[k]) &* classes
            let x = values[k]
            for c in 0..<classes { output[c] += w[base &+ c] * x }
        }
    }

    /// In-place softmax, shifted by the maximum so large logits cannot overflow.
    @inline(__always)
    static func softmax(_ values: UnsafeMutableBufferPointer<Float>) {
        var maximum = -Float.infinity
        for v in values where v > maximum { maximum = v }
        var total: Float = 0
        for i in 0..<values.count {
            values[i] = exp(values[i] - maximum)
            total += values[i]
        }
        let inverse = 1 / total
        for i in 0..<values.count { values[i] *= inverse }
    }

    /// The temperature T > 0 minimising the negative log-likelihood of softmax(logits / T) on
    /// held-out rows: golden-section search over ln T in [ln 0.05, ln 20] (the NLL is unimodal in T).
    static func fitTemperature(logits: [[Float]], targets: [Int]) -> Float {
        guard !logits.isEmpty else { return 1 }
        func nll(_ logT: Double) -> Double {
            let inverse = Float(exp(-logT))
            var total = 0.0
            for (row, target) in zip(logits, targets) {
                var maximum = -Float.infinity
                for v in row where v * inverse > maximum { maximum = v * inverse }
                var sum: Float = 0
                for v in row { sum += exp(v * inverse - maximum) }
                total += Double(log(sum) + maximum - row[target] * inverse)
            }
            return total
        }
        let ratio = (5.0.squareRoot() - 1) / 2
        var low = log(0.05), high = log(20.0)
        var a = high - ratio * (high - low), b = low + ratio * (high - low)
        var fa = nll(a), fb = nll(b)
        for _ in 0..<50 {
            if fa < fb {
                high = b; b = a; fb = fa
                a = high - ratio * (high - low); fa = nll(a)
            } else {
                low = a; a = b; fa = fb
                b = low + ratio * (high - low); fb = nll(b)
            }
        }
        return Float(exp((low + high) / 2))
    }
}
