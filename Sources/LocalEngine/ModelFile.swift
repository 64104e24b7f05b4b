import Foundation

/// The binary model format, little-endian throughout:
///
///     "GHLC"  u32 version
///     settings: u32 bits, u32 n-gram min, u32 n-gram max,
///               u32 flags (1 bigrams, 2 fold digits, 4 IDF, 8 near-duplicate groups, 16 balanced), f32 word weight,
///               u32 epochs, f32 learning rate, f32 l2, u64 seed, f64 calibration share
///     IDF:      u32 count (0 when off); if count > 0: f32 common value, u32 n, n × (u32 bucket, f32 value)
///     u32 heads, per head (sorted by field): str field, u32 labels, labels × str, f32 temperature,
///               labels × f32 bias, u32 rows, rows × (u32 bucket, labels × f32 weights), buckets increasing
///     u64 checksum (FNV-1a + fmix64 of everything before it)
///     str = u32 byte count + UTF-8 bytes
///
/// Only buckets that some training text used have non-zero weights, so weights are stored by row:
/// a few MB instead of labels × 2^bits floats. Loading checks every count and index, and the
/// checksum catches the rest: a damaged file is an error, never a silently wrong model.
enum ModelFile {
    static let magic: [UInt8] = Array("GHLC".utf8)
    static let version: UInt32 = 4

    static func encode(_ model: MultiFieldClassifier) -> Data {
        var writer = Writer()
        writer.bytes.append(contentsOf: magic)
        writer.u32(version)
        let settings = model.settings
        let hasher = settings.hasher
        writer.u32(UInt32(hasher.bits))
        writer.u32(UInt32(hasher.characterNGrams.lowerBound))
        writer.u32(UInt32(hasher.characterNGrams.upperBound))
        var flags: UInt32 = 0
        if hasher.wordBigrams { flags |= 1 }
        if hasher.foldDigits { flags |= 2 }
        if settings.inverseDocumentFrequency { flags |= 4 }
        if settings.groupNearDuplicates { flags |= 8 }
        if settings.balanceClasses { flags |= 16 }
        writer.u32(flags)
        writer.f32(hasher.wordWeight)
        writer.u32(UInt32(clamping: settings.epochs))
        writer.f32(settings.learningRate)
        writer.f32(settings.l2)
        writer.u64(settings.seed)
        writer.u64(settings.calibrationShare.bitPattern)

        let idf = model.space.idf
        writer.u32(UInt32(idf.count))
        if let common = idf.max() {
            writer.f32(common)
            let exceptions = idf.indices.filter { idf[$0] != common }
            writer.u32(UInt32(exceptions.count))
            for index in exceptions {
                writer.u32(UInt32(index))
                writer.f32(idf[index])
            }
        }

        writer.u32(UInt32(model.heads.count))
        for (field, head) in model.heads.sorted(by: { $0.key < $1.key }) {
            writer.string(field)
            writer.u32(UInt32(head.labels.count))
            for label in head.labels { writer.string(label) }
            writer.f32(head.temperature)
            for value in head.bias { writer.f32(value) }
            let classes = head.labels.count
            head.weights.withUnsafeBufferPointer { w in
                let rows = (0..<(w.count / classes)).filter { row in (0..<classes).contains { w[row * classes + $0] != 0 } }
                writer.u32(UInt32(rows.count))
                for row in rows {
                    writer.u32(UInt32(row))
                    for c in 0..<classes { writer.f32(w[row * classes + c]) }
                }
            }
        }
        writer.u64(StableHash.finalise(StableHash.bytes(writer.bytes)))
        return Data(writer.bytes)
    }

    static func decode(_ data: Data, path: String? = nil) throws(LocalEngineError) -> MultiFieldClassifier {
        var reader = Reader(bytes: [UInt8](data), path: path)
        guard reader.bytes.count >= 16, reader.bytes.prefix(4).elementsEqual(magic) else {
            throw reader.corrupt("not a Gatehouse classifier (bad magic)")
        }
        reader.offset = 4
        let fileVersion = try reader.u32()
        guard fileVersion == version else { throw reader.corrupt("format version \(fileVersion), this build reads \(version)") }
        let checksum = reader.bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: reader.bytes.count - 8, as: UInt64.self) }
        guard UInt64(littleEndian: checksum) == StableHash.finalise(StableHash.bytes(reader.bytes.dropLast(8))) else {
            throw reader.corrupt("checksum mismatch (truncated or damaged)")
        }
        reader.end = reader.bytes.count - 8

        let bits = Int(try reader.u32())
        let lower = Int(try reader.u32())
        let upper = Int(try reader.u32())
        let flags = try reader.u32()
        let wordWeight = try reader.f32()
        guard (4...26).contains(bits), lower <= upper, upper <= 16, wordWeight.isFinite else { throw reader.corrupt("bad feature settings") }
        let hasher = FeatureHasher(
            bits: bits, characterNGrams: lower...upper, wordBigrams: flags & 1 != 0, foldDigits: flags & 2 != 0, wordWeight: wordWeight)
        let settings = TrainingSettings(
            epochs: Int(try reader.u32()), learningRate: try reader.f32(), l2: try reader.f32(), seed: try reader.u64(), hasher: hasher,
            inverseDocumentFrequency: flags & 4 != 0, balanceClasses: flags & 16 != 0, calibrationShare: Double(bitPattern: try reader.u64()),
            groupNearDuplicates: flags & 8 != 0)

        let idfCount = Int(try reader.u32())
        var idf: [Float] = []
        if idfCount > 0 {
            guard idfCount == hasher.dimension else { throw reader.corrupt("IDF size \(idfCount) for \(hasher.dimension) buckets") }
            idf = [Float](repeating: try reader.f32(), count: idfCount)
            let exceptions = Int(try reader.u32())
            guard exceptions <= idfCount else { throw reader.corrupt("bad IDF count") }
            for _ in 0..<exceptions {
                let index = Int(try reader.u32())
                guard index < idfCount else { throw reader.corrupt("IDF bucket out of range") }
                idf[index] = try reader.f32()
            }
        }
        let space = FeatureSpace(hasher: hasher, idf: idf)

        var heads: [String: TextClassifier] = [:]
        let headCount = Int(try reader.u32())
        guard headCount < 1_000 else { throw reader.corrupt("bad head count") }
        for _ in 0..<headCount {
            let field = try reader.string()
            let classes = Int(try reader.u32())
            guard (2...10_000).contains(classes) else { throw reader.corrupt("bad label count for '\(field)'") }
            var labels: [String] = []
            for _ in 0..<classes { labels.append(try reader.string()) }
            guard Set(labels).count == classes else { throw reader.corrupt("duplicate labels for '\(field)'") }
            let temperature = try reader.f32()
            guard temperature > 0, temperature.isFinite else { throw reader.corrupt("bad temperature for '\(field)'") }
            var bias: [Float] = []
            for _ in 0..<classes { bias.append(try reader.f32()) }
            let rows = Int(try reader.u32())
            guard rows <= hasher.dimension, reader.remaining >= rows * (4 + 4 * classes) else { throw reader.corrupt("truncated weights") }
            var weights = [Float](repeating: 0, count: classes * hasher.dimension)
            var previous = -1
            for _ in 0..<rows {
                let row = Int(try reader.u32())
                guard row > previous, row < hasher.dimension else { throw reader.corrupt("weight rows out of order") }
                previous = row
                try reader.floats(into: &weights, at: row * classes, count: classes)
            }
            heads[field] = TextClassifier(labels: labels, temperature: temperature, space: space, weights: weights, bias: bias)
        }
        guard reader.offset == reader.end else { throw reader.corrupt("unexpected bytes after the last head") }
        return MultiFieldClassifier(heads: heads, settings: settings, space: space)
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func u32(_ value: UInt32) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func u64(_ value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func f32(_ value: Float) { u32(value.bitPattern) }

        mutating func string(_ value: String) {
            u32(UInt32(value.utf8.count))
            bytes.append(contentsOf: value.utf8)
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        let path: String?
        var offset = 0
        var end: Int

        init(bytes: [UInt8], path: String?) {
            self.bytes = bytes
            self.path = path
            end = bytes.count
        }

        var remaining: Int { end - offset }

        func corrupt(_ reason: String) -> LocalEngineError { .corruptModel(path: path, reason: reason) }

        mutating func u32() throws(LocalEngineError) -> UInt32 {
            guard offset + 4 <= end else { throw corrupt("truncated") }
            defer { offset += 4 }
            return UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) })
        }

        mutating func u64() throws(LocalEngineError) -> UInt64 {
            guard offset + 8 <= end else { throw corrupt("truncated") }
            defer { offset += 8 }
            return UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) })
        }

        mutating func f32() throws(LocalEngineError) -> Float { Float(bitPattern: try u32()) }

        mutating func floats(into target: inout [Float], at start: Int, count: Int) throws(LocalEngineError) {
            guard offset + 4 * count <= end else { throw corrupt("truncated") }
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    target[start + i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)))
                }
            }
            offset += 4 * count
        }

        mutating func string() throws(LocalEngineError) -> String {
            let length = Int(try u32())
            guard length <= end - offset else { throw corrupt("truncated string") }
            defer { offset += length }
            return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
        }
    }
}

extension MultiFieldClassifier {
    /// The model in the binary format described at `ModelFile`.
    public func serialized() -> Data { ModelFile.encode(self) }

    /// Loads a model produced by `serialized()`; a damaged or foreign file throws `.corruptModel`.
    public init(serialized data: Data) throws(LocalEngineError) {
        self = try ModelFile.decode(data)
    }

    /// Writes the model atomically: to a temporary file in the same directory, then renamed over
    /// `path`, so a concurrent reader (or a crash) never sees half a model.
    public func save(to path: String) throws(LocalEngineError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try serialized().write(to: temporary)
        } catch {
            throw .unwritableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .unwritableFile(path: path, reason: reason)
        }
    }

    /// Reads a model written by `save(to:)`.
    public static func load(from path: String) throws(LocalEngineError) -> MultiFieldClassifier {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        return try ModelFile.decode(data, path: path)
    }
}
