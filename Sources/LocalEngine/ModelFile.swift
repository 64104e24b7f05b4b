import Foundation

/// Binary model format: magic, version, hasher settings, then per head: field, labels, temperature,
/// bias and weights as little-endian Float32. Compact and loaded without parsing text.
enum ModelFile {
    static let magic: [UInt8] = Array("GHLC".utf8)
    static let version: UInt32 = 3
    /// Bumped whenever the training code changes what it produces, so cached models are retrained.
    static let trainerVersion = 3

    static func encode(_ model: MultiFieldClassifier) -> Data {
        var data = Data(magic)
        append(&data, version)
        append(&data, UInt32(model.hasher.bits))
        append(&data, UInt32(model.hasher.characterNGrams.lowerBound))
        append(&data, UInt32(model.hasher.characterNGrams.upperBound))
        append(&data, UInt32(model.hasher.wordBigrams ? 1 : 0))
        model.idf.withUnsafeBufferPointer { buffer in
            for value in buffer { append(&data, value.bitPattern) }
        }
        append(&data, UInt32(model.heads.count))
        for (field, head) in model.heads.sorted(by: { $0.key < $1.key }) {
            appendString(&data, field)
            append(&data, UInt32(head.labels.count))
            for label in head.labels { appendString(&data, label) }
            append(&data, head.temperature.bitPattern)
            for value in head.bias { append(&data, value.bitPattern) }
            append(&data, UInt32(head.weights.count))
            head.weights.withUnsafeBufferPointer { buffer in
                for value in buffer { append(&data, value.bitPattern) }
            }
        }
        return data
    }

    static func decode(_ data: Data) throws(LocalEngineError) -> MultiFieldClassifier {
        var reader = Reader(bytes: [UInt8](data))
        guard reader.take(4) == magic else { throw .corruptModel(reason: "bad magic") }
        guard try reader.u32() == version else { throw .corruptModel(reason: "unsupported version") }
        let bits = Int(try reader.u32())
        let lower = Int(try reader.u32())
        let upper = Int(try reader.u32())
        let bigrams = try reader.u32() == 1
        guard (8...24).contains(bits), lower >= 1, upper >= lower else { throw .corruptModel(reason: "bad settings") }
        let hasher = FeatureHasher(bits: bits, characterNGrams: lower...upper, wordBigrams: bigrams)
        let idf = try reader.floats(hasher.dimension)
        var heads: [String: TextClassifier] = [:]
        let headCount = try reader.u32()
        for _ in 0..<headCount {
            let field = try reader.string()
            let labelCount = Int(try reader.u32())
            guard labelCount >= 2 && labelCount < 10_000 else { throw .corruptModel(reason: "bad label count") }
            var labels: [String] = []
            for _ in 0..<labelCount { labels.append(try reader.string()) }
            let temperature = Float(bitPattern: try reader.u32())
            var bias: [Float] = []
            for _ in 0..<labelCount { bias.append(Float(bitPattern: try reader.u32())) }
            let count = Int(try reader.u32())
            guard count == labelCount * hasher.dimension else { throw .corruptModel(reason: "weight count mismatch") }
            let weights = try reader.floats(count)
            heads[field] = TextClassifier(labels: labels, temperature: temperature, hasher: hasher, weights: weights, bias: bias)
        }
        guard reader.offset == reader.bytes.count else { throw .corruptModel(reason: "trailing bytes") }
        return MultiFieldClassifier(heads: heads, hasher: hasher, idf: idf)
    }

    private static func append(_ data: inout Data, _ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func appendString(_ data: inout Data, _ string: String) {
        let bytes = Array(string.utf8)
        append(&data, UInt32(bytes.count))
        data.append(contentsOf: bytes)
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) -> [UInt8]? {
            guard offset + count <= bytes.count else { return nil }
            defer { offset += count }
            return Array(bytes[offset..<(offset + count)])
        }

        mutating func u32() throws(LocalEngineError) -> UInt32 {
            guard offset + 4 <= bytes.count else { throw .corruptModel(reason: "truncated") }
            let value = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            offset += 4
            return value
        }

        mutating func string() throws(LocalEngineError) -> String {
            let length = Int(try u32())
            guard length < 1 << 20, let raw = take(length) else { throw .corruptModel(reason: "truncated string") }
            return String(decoding: raw, as: UTF8.self)
        }

        mutating func floats(_ count: Int) throws(LocalEngineError) -> [Float] {
            guard offset + count * 4 <= bytes.count else { throw .corruptModel(reason: "truncated weights") }
            var result = [Float](repeating: 0, count: count)
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    result[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + i * 4, as: UInt32.self)))
                }
            }
            offset += count * 4
            return result
        }
    }
}

/// Trained models on disk, keyed by a hash of everything that determines them, so a restart loads
/// instead of retraining and a changed dataset retrains.
public struct ClassifierCache: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func loadOrTrain(
        examples: [LabelledExample], fields: [String], knownLabels: [String: [String]] = [:], settings: TrainingSettings
    ) throws(LocalEngineError) -> (model: MultiFieldClassifier, trainedNow: Bool) {
        let path = (directory as NSString).appendingPathComponent("classifier-\(Self.key(examples, fields, knownLabels, settings)).bin")
        if let data = FileManager.default.contents(atPath: path), let model = try? ModelFile.decode(data) {
            return (model, false)
        }
        let model = try MultiFieldClassifier.train(examples: examples, fields: fields, knownLabels: knownLabels, settings: settings)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        if FileManager.default.createFile(atPath: temporary, contents: ModelFile.encode(model)) {
            if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        }
        return (model, true)
    }

    static func key(_ examples: [LabelledExample], _ fields: [String], _ knownLabels: [String: [String]], _ settings: TrainingSettings) -> String {
        var parts = ["format=\(ModelFile.version)", "trainer=\(ModelFile.trainerVersion)", "fields=\(fields.joined(separator: ","))"]
        parts.append("labels=" + knownLabels.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.joined(separator: ","))" }.joined(separator: ";"))
        parts.append("settings=\(settings.epochs),\(settings.learningRate),\(settings.l2),\(settings.seed),\(settings.calibrationShare),\(settings.hasher.bits),\(settings.hasher.characterNGrams),\(settings.hasher.wordBigrams)")
        var hash = FNV1a.hash(parts.joined(separator: "|").utf8)
        for example in examples {
            hash = FNV1a.hash(example.id.utf8, seed: hash)
            hash = FNV1a.hash(example.text.utf8, seed: hash)
            for (field, label) in example.labels.sorted(by: { $0.key < $1.key }) {
                hash = FNV1a.hash((field + "=" + label).utf8, seed: hash)
            }
        }
        return String(hash, radix: 16)
    }
}
