import Foundation

/// Turns text into a sparse, L2-normalised vector of hashed word and character n-grams.
///
/// Hashing keeps memory fixed whatever the vocabulary (several languages, typos) and needs no
/// vocabulary file; character n-grams make the model robust to typos and inflections.
public struct FeatureHasher: Sendable, Hashable {
    /// log2 of the number of buckets.
    public var bits: Int
    public var characterNGrams: ClosedRange<Int>
    public var wordBigrams: Bool

    public init(bits: Int = 18, characterNGrams: ClosedRange<Int> = 3...5, wordBigrams: Bool = true) {
        self.bits = bits
        self.characterNGrams = characterNGrams
        self.wordBigrams = wordBigrams
    }

    public var dimension: Int { 1 << bits }

    /// Lowercased, diacritics folded, everything but letters and digits turned into spaces.
    public static func normalise(_ text: String) -> [Substring] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        return folded.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
    }

    /// Sublinear term frequencies of the hashed n-grams, words and character n-grams in separate
    /// blocks, not yet weighted or normalised.
    public func features(_ text: String) -> FeatureBlocks {
        let words = Self.normalise(text)
        var wordCounts: [Int32: Float] = [:]
        var characterCounts: [Int32: Float] = [:]
        wordCounts.reserveCapacity(words.count * 2)
        characterCounts.reserveCapacity(words.count * 8)
        let mask = UInt64(dimension - 1)
        func add(_ hash: UInt64, to counts: inout [Int32: Float]) {
            let index = Int32(truncatingIfNeeded: hash & mask)
            let sign: Float = (hash >> 63) == 0 ? 1 : -1
            counts[index, default: 0] += sign
        }
        var previous: UInt64 = 0
        for (position, word) in words.enumerated() {
            let wordHash = FNV1a.hash(word.utf8, seed: FNV1a.offset ^ 0x77)
            add(wordHash, to: &wordCounts)
            if wordBigrams && position > 0 {
                add(FNV1a.combine(previous, wordHash), to: &wordCounts)
            }
            previous = wordHash
            let scalars = Array("<\(word)>".unicodeScalars)
            for n in characterNGrams where scalars.count >= n {
                for start in 0...(scalars.count - n) {
                    var hash = FNV1a.offset ^ UInt64(n)
                    for scalar in scalars[start..<(start + n)] {
                        hash = FNV1a.step(hash, UInt64(scalar.value))
                    }
                    add(hash, to: &characterCounts)
                }
            }
        }
        return FeatureBlocks(words: Self.sparse(wordCounts), characters: Self.sparse(characterCounts))
    }

    private static func sparse(_ counts: [Int32: Float]) -> SparseVector {
        var indices: [Int32] = []
        var values: [Float] = []
        indices.reserveCapacity(counts.count)
        values.reserveCapacity(counts.count)
        for (index, count) in counts.sorted(by: { $0.key < $1.key }) where count != 0 {
            let magnitude = 1 + log(abs(count))
            indices.append(index)
            values.append(count < 0 ? -magnitude : magnitude)
        }
        return SparseVector(indices: indices, values: values)
    }
}

/// Word and character features of one text, kept apart until each is weighted and normalised:
/// character n-grams far outnumber words, and one shared norm would drown the words.
public struct FeatureBlocks: Sendable, Hashable {
    public var words: SparseVector
    public var characters: SparseVector

    /// IDF-weighted, each block scaled to unit length, then merged into one vector.
    func weighted(by idf: [Float]) -> SparseVector {
        let a = words.weighted(by: idf), b = characters.weighted(by: idf)
        var indices: [Int32] = []
        var values: [Float] = []
        indices.reserveCapacity(a.indices.count + b.indices.count)
        values.reserveCapacity(a.indices.count + b.indices.count)
        var i = 0, j = 0
        while i < a.indices.count || j < b.indices.count {
            if j == b.indices.count || (i < a.indices.count && a.indices[i] < b.indices[j]) {
                indices.append(a.indices[i]); values.append(a.values[i]); i += 1
            } else if i == a.indices.count || b.indices[j] < a.indices[i] {
                indices.append(b.indices[j]); values.append(b.values[j]); j += 1
            } else {
                indices.append(a.indices[i]); values.append(a.values[i] + b.values[j]); i += 1; j += 1
            }
        }
        return SparseVector(indices: indices, values: values)
    }
}

public struct SparseVector: Sendable, Hashable {
    public var indices: [Int32]
    public var values: [Float]

    /// Multiplies each feature by its inverse document frequency, then scales to unit length, so
    /// words every ticket shares ("hello", "order", "thanks") weigh little and rare, telling ones a lot.
    func weighted(by idf: [Float]) -> SparseVector {
        var result = self
        var norm: Float = 0
        for k in result.values.indices {
            result.values[k] *= idf[Int(result.indices[k])]
            norm += result.values[k] * result.values[k]
        }
        if norm > 0 {
            let inverse = 1 / norm.squareRoot()
            for k in result.values.indices { result.values[k] *= inverse }
        }
        return result
    }

    /// Smoothed IDF over a corpus: log((1 + n) / (1 + df)) + 1; unseen features get the maximum.
    static func inverseDocumentFrequency(_ corpus: [FeatureBlocks], dimension: Int) -> [Float] {
        var documentFrequency = [Float](repeating: 0, count: dimension)
        for blocks in corpus {
            for index in Set(blocks.words.indices).union(blocks.characters.indices) { documentFrequency[Int(index)] += 1 }
        }
        let n = Float(corpus.count)
        return documentFrequency.map { log((1 + n) / (1 + $0)) + 1 }
    }
}

/// 64-bit FNV-1a: deterministic across runs and platforms (unlike Swift's seeded `Hasher`).
enum FNV1a {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always) static func step(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        var h = hash
        var v = value
        repeat {
            h ^= v & 0xff
            h = h &* prime
            v >>= 8
        } while v != 0
        return h
    }

    static func hash(_ bytes: some Sequence<UInt8>, seed: UInt64 = offset) -> UInt64 {
        var h = seed
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* prime
        }
        return h
    }

    static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var h = offset ^ 0x5bd1e995
        h = step(h, a)
        h = step(h, b)
        return h
    }
}

/// SplitMix64: a tiny seeded generator so training is reproducible.
struct SplitMix64: RandomNumberGenerator {
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
