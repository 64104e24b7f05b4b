import Foundation
import Synchronization

/// Turns text into sparse vectors of hashed word and character n-grams.
///
/// Hashing keeps memory fixed whatever the vocabulary (several languages, typos, product codes) and
/// needs no vocabulary file next to the model. Character n-grams let inflections and typos share most
/// of their features with the clean word. Signed hashing (the sign comes from another hash bit) makes
/// bucket collisions cancel out on average instead of adding up.
public struct FeatureHasher: Sendable, Hashable {
    /// log2 of the number of buckets (18 gives 262,144).
    public var bits: Int
    /// Lengths of the character n-grams taken inside each word padded as `<word>`; `0...0` for none.
    public var characterNGrams: ClosedRange<Int>
    public var wordBigrams: Bool
    /// Every decimal digit becomes 0, so order numbers and amounts share features instead of each
    /// being a new, rare one.
    public var foldDigits: Bool
    /// Weight of the word block against the character block. Each block is L2-normalised on its own
    /// first: character n-grams far outnumber words and one shared norm would drown the words.
    public var wordWeight: Float

    public init(bits: Int = 18, characterNGrams: ClosedRange<Int> = 3...5, wordBigrams: Bool = true, foldDigits: Bool = true, wordWeight: Float = 1) {
        self.bits = bits
        self.characterNGrams = characterNGrams
        self.wordBigrams = wordBigrams
        self.foldDigits = foldDigits
        self.wordWeight = wordWeight
    }

    public var dimension: Int { 1 << bits }

    /// The words the model sees: lowercased, diacritics and width folded, split at anything that is
    /// neither a letter nor a digit (which also collapses whitespace and drops punctuation).
    public func words(_ text: String) -> [String] {
        var scratch = Scratch()
        tokenise(text, into: &scratch)
        var result: [String] = []
        var start = 0
        for end in scratch.tokenEnds {
            var word = String.UnicodeScalarView()
            for k in start..<end { word.append(Unicode.Scalar(scratch.scalars[k]) ?? "?") }
            result.append(String(word))
            start = end
        }
        return result
    }

    /// Raw signed, sublinear (1 + ln tf) term frequencies of one text, word and character blocks
    /// apart, indices sorted; not yet weighted or normalised.
    func counts(_ text: String) -> FeatureBlocks {
        var scratch = Scratch()
        return counts(text, scratch: &scratch)
    }

    func counts(_ text: String, scratch: inout Scratch) -> FeatureBlocks {
        tokenise(text, into: &scratch)
        var wordKeys = ContiguousArray<UInt32>()
        var characterKeys = ContiguousArray<UInt32>()
        swap(&wordKeys, &scratch.wordKeys)
        swap(&characterKeys, &scratch.characterKeys)
        defer {
            swap(&wordKeys, &scratch.wordKeys)
            swap(&characterKeys, &scratch.characterKeys)
        }
        wordKeys.removeAll(keepingCapacity: true)
        characterKeys.removeAll(keepingCapacity: true)
        let mask = UInt64(dimension - 1)
        let minimum = max(1, characterNGrams.lowerBound), maximum = characterNGrams.upperBound
        let useCharacters = maximum >= 1
        // Character n-grams of a word seen earlier in the text are copied from its first occurrence
        // instead of hashed again: ordinary text repeats many of its words.
        var seenWords = ContiguousArray<SeenWord>()
        swap(&seenWords, &scratch.seenWords)
        defer { swap(&seenWords, &scratch.seenWords) }
        var tableSize = 0
        if useCharacters {
            tableSize = 64
            while tableSize < scratch.tokenEnds.count * 2 { tableSize <<= 1 }
        }
        // Slots written for an earlier text carry an older generation and count as empty, so the
        // table is never cleared.
        scratch.generation &+= 1
        let generation = scratch.generation
        if seenWords.count < tableSize { seenWords = ContiguousArray(repeating: .empty, count: tableSize) }
        let tableMask = UInt64(max(tableSize, 1) - 1)
        scratch.scalars.withUnsafeBufferPointer { scalars in
            var start = 0
            var previous: UInt64 = 0
            for (position, end) in scratch.tokenEnds.enumerated() {
                var wordHash = Seeds.word
                for k in start..<end { wordHash = StableHash.step(wordHash, scalars[k]) }
                wordHash = StableHash.finalise(wordHash)
                wordKeys.append(Self.key(wordHash, mask))
                if wordBigrams && position > 0 {
                    wordKeys.append(Self.key(StableHash.combine(previous, wordHash), mask))
                }
                previous = wordHash
                if useCharacters {
                    var slot = Int(wordHash & tableMask)
                    var copied = false
                    while seenWords[slot].generation == generation {
                        let seen = seenWords[slot]
                        if seen.hash == wordHash && seen.end - seen.start == end - start && Self.sameScalars(scalars, seen.start, start, end - start) {
                            characterKeys.reserveCapacity(characterKeys.count + seen.keyCount)
                            for k in seen.firstKey..<(seen.firstKey + seen.keyCount) { characterKeys.append(characterKeys[k]) }
                            copied = true
                            break
                        }
                        slot = (slot + 1) & Int(tableMask)
                    }
                    if !copied {
                        let firstKey = characterKeys.count
                        // The padded word is `<` + scalars + `>`; the n-grams starting at one position are
                        // hashed incrementally, shortest first, so each scalar is hashed once per start.
                        let length = end - start + 2
                        for first in 0..<length {
                            var hash = Seeds.character
                            var n = 0
                            while n < maximum && first + n < length {
                                let position = first + n
                                let scalar: UInt32 = position == 0 ? 0x3c : position == length - 1 ? 0x3e : scalars[start + position - 1]
                                hash = StableHash.step(hash, scalar)
                                n += 1
                                if n >= minimum { characterKeys.append(Self.key(StableHash.finalise(hash), mask)) }
                            }
                        }
                        seenWords[slot] = SeenWord(
                            hash: wordHash, start: start, end: end, firstKey: firstKey, keyCount: characterKeys.count - firstKey, generation: generation)
                    }
                }
                start = end
            }
        }
        return FeatureBlocks(words: Self.sparse(&wordKeys, keyBits: bits + 1), characters: Self.sparse(&characterKeys, keyBits: bits + 1))
    }

    /// Bucket index shifted left by one, with the sign (hash bit 63) in bit 0, so that sorting the
    /// keys brings each bucket's occurrences together.
    @inline(__always) private static func key(_ hash: UInt64, _ mask: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: (hash & mask) << 1 | hash >> 63)
    }

    /// Sorts in passes of up to 11 bits (LSD radix), as many as `keyBits` needs (two for the default
    /// 18-bit buckets and their sign bit): a few thousand keys per text, where a comparison sort cost
    /// a third of featurising. Equal keys are identical, so the result is the same.
    static func radixSort(_ keys: inout ContiguousArray<UInt32>, keyBits: Int = 32) {
        let count = keys.count
        guard count > 64 else {
            keys.sort()
            return
        }
        var buffer = ContiguousArray<UInt32>(unsafeUninitializedCapacity: count) { _, initialised in initialised = count }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2048) { counts in
            keys.withUnsafeMutableBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    var from = source, to = target
                    var shift = 0
                    while shift < max(keyBits, 1) {
                        let width = min(11, max(keyBits, 1) - shift)
                        let buckets = 1 << width, mask = UInt32(buckets - 1), offset = UInt32(shift)
                        for index in 0..<buckets { counts[index] = 0 }
                        for key in from { counts[Int((key >> offset) & mask)] &+= 1 }
                        var total: UInt32 = 0
                        for index in 0..<buckets {
                            let n = counts[index]
                            counts[index] = total
                            total &+= n
                        }
                        for key in from {
                            let bucket = Int((key >> offset) & mask)
                            to[Int(counts[bucket])] = key
                            counts[bucket] &+= 1
                        }
                        swap(&from, &to)
                        shift += width
                    }
                    // After an odd number of passes the sorted keys are in `target`; copy them back.
                    if from.baseAddress != source.baseAddress {
                        for index in 0..<count { source[index] = from[index] }
                    }
                }
            }
        }
    }

    /// `keyBits`: how many low bits the keys use (bucket bits plus the sign bit), so that the sort
    /// makes only the passes it needs.
    private static func sparse(_ keys: inout ContiguousArray<UInt32>, keyBits: Int) -> SparseVector {
        radixSort(&keys, keyBits: keyBits)
        var indices = ContiguousArray<Int32>()
        var values = ContiguousArray<Float>()
        indices.reserveCapacity(keys.count)
        values.reserveCapacity(keys.count)
        keys.withUnsafeBufferPointer { keys in
            var k = 0
            while k < keys.count {
                let index = keys[k] >> 1
                var count = 0
                while k < keys.count && keys[k] >> 1 == index {
                    count += keys[k] & 1 == 0 ? 1 : -1
                    k += 1
                }
                guard count != 0 else { continue }
                let magnitude: Float = count == 1 || count == -1 ? 1 : 1 + log(Float(abs(count)))  // most n-grams occur once
                indices.append(Int32(index))
                values.append(count < 0 ? -magnitude : magnitude)
            }
        }
        return SparseVector(indices: indices, values: values)
    }

    /// Fills `scratch.scalars` with the folded scalars of every word, back to back, and
    /// `scratch.tokenEnds` with where each word ends.
    func tokenise(_ text: String, into scratch: inout Scratch, useFoldTable: Bool = true) {
        scratch.scalars.removeAll(keepingCapacity: true)
        scratch.tokenEnds.removeAll(keepingCapacity: true)
        let ascii = text.utf8.allSatisfy { $0 < 0x80 }
        let digits = foldDigits
        @inline(__always) func endWord(_ scratch: inout Scratch) {
            if scratch.scalars.count > (scratch.tokenEnds.last ?? 0) { scratch.tokenEnds.append(scratch.scalars.count) }
        }
        if ascii {
            // Fast path, most tickets: nothing to fold but case.
            for byte in text.utf8 {
                switch byte {
                case 0x61...0x7a: scratch.scalars.append(UInt32(byte))
                case 0x41...0x5a: scratch.scalars.append(UInt32(byte | 0x20))
                case 0x30...0x39: scratch.scalars.append(digits ? 0x30 : UInt32(byte))
                default: endWord(&scratch)
                }
            }
        } else {
            // Mostly-ASCII text (a euro sign, a few accented names): ASCII bytes take the fast path and
            // only the stretches holding non-ASCII characters go through Foundation's folding. A stretch
            // ends at an ASCII byte that is neither letter nor digit, which no character cluster spans.
            var text = text
            text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                var end = index
                var hasNonASCII = false
                while end < bytes.count {
                    let byte = bytes[end]
                    if byte >= 0x80 { hasNonASCII = true } else if !Self.isASCIIAlphanumeric(byte) { break }
                    end += 1
                }
                if hasNonASCII {
                    let stretch = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
                    if !(useFoldTable && appendWithFoldTable(stretch, into: &scratch)) {
                        foldAndAppend(stretch, into: &scratch)
                    }
                } else {
                    for byte in bytes[index..<end] {
                        switch byte {
                        case 0x61...0x7a: scratch.scalars.append(UInt32(byte))
                        case 0x41...0x5a: scratch.scalars.append(UInt32(byte | 0x20))
                        default: scratch.scalars.append(digits ? 0x30 : UInt32(byte))
                        }
                    }
                }
                if end < bytes.count { endWord(&scratch) }
                index = end + 1
            }
            }
        }
        endWord(&scratch)
    }

    @inline(__always) private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39)
    }

    /// Appends a stretch whose non-ASCII scalars are all in `FoldTable` (accented Latin letters,
    /// punctuation, the euro sign) without calling Foundation; false, having appended nothing, when
    /// one is not.
    private func appendWithFoldTable(_ stretch: String, into scratch: inout Scratch) -> Bool {
        for scalar in stretch.unicodeScalars where scalar.value >= 0x80 {
            if FoldTable.entry(scalar.value) == nil { return false }
        }
        let digits = foldDigits
        for scalar in stretch.unicodeScalars {
            let value = scalar.value
            switch value {
            case 0x61...0x7a: scratch.scalars.append(value)
            case 0x41...0x5a: scratch.scalars.append(value | 0x20)
            case 0x30...0x39: scratch.scalars.append(digits ? 0x30 : value)
            default:
                let entry = FoldTable.entry(value)!
                if entry.first == 0 {
                    if scratch.scalars.count > (scratch.tokenEnds.last ?? 0) { scratch.tokenEnds.append(scratch.scalars.count) }
                } else {
                    scratch.scalars.append(entry.first)
                    if entry.second != 0 { scratch.scalars.append(entry.second) }
                }
            }
        }
        return true
    }

    /// Folds case, diacritics and width of a stretch with non-ASCII characters and appends its word scalars.
    private func foldAndAppend(_ text: String, into scratch: inout Scratch) {
        let digits = foldDigits
        @inline(__always) func endWord(_ scratch: inout Scratch) {
            if scratch.scalars.count > (scratch.tokenEnds.last ?? 0) { scratch.tokenEnds.append(scratch.scalars.count) }
        }
        do {
            let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            for scalar in folded.unicodeScalars {
                let properties = scalar.properties
                if properties.isAlphabetic {
                    if properties.changesWhenLowercased {
                        for lower in properties.lowercaseMapping.unicodeScalars { scratch.scalars.append(lower.value) }
                    } else {
                        scratch.scalars.append(scalar.value)
                    }
                } else if properties.numericType != nil {
                    scratch.scalars.append(digits && properties.generalCategory == .decimalNumber ? 0x30 : scalar.value)
                } else if properties.generalCategory == .nonspacingMark && scratch.scalars.count > (scratch.tokenEnds.last ?? 0) {
                    continue  // a combining mark the folding left in place: drop it, stay in the word
                } else {
                    endWord(&scratch)
                }
            }
        }
    }

    /// Reusable buffers, so featurising a batch of texts allocates once.
    struct Scratch {
        var scalars = ContiguousArray<UInt32>()
        var tokenEnds = ContiguousArray<Int>()
        var wordKeys = ContiguousArray<UInt32>()
        var characterKeys = ContiguousArray<UInt32>()
        var seenWords = ContiguousArray<SeenWord>()
        var generation: UInt32 = 0
    }

    @inline(__always) private static func sameScalars(_ scalars: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int, _ count: Int) -> Bool {
        for k in 0..<count where scalars[a + k] != scalars[b + k] { return false }
        return true
    }

    /// A word already featurised in the current text: where its scalars and its character keys are.
    struct SeenWord {
        var hash: UInt64
        var start: Int
        var end: Int
        var firstKey: Int
        var keyCount: Int
        /// The slot is in use for the current text only when this is the scratch's generation.
        var generation: UInt32

        static let empty = SeenWord(hash: 0, start: 0, end: 0, firstKey: 0, keyCount: 0, generation: 0)
    }

    /// Different seeds keep the word "abc" and the character n-gram "abc" apart.
    private enum Seeds {
        static let word = StableHash.step(StableHash.offset, 0x77)
        static let character = StableHash.step(StableHash.offset, 0x63)
    }
}

/// How `FeatureHasher.foldAndAppend` treats the non-ASCII scalars most European text carries
/// (U+0080-U+024F, general punctuation U+2010-U+205F, the euro sign), worked out once with the same
/// Foundation folding, so that text made of them needs no Foundation call per stretch. Scalars whose
/// folding depends on context or settings (combining marks, format characters, digits) are left out.
enum FoldTable {
    struct Entry {
        /// 0: a word separator; otherwise the first folded, lowercased scalar.
        var first: UInt32
        /// A second scalar ("ß" folds to "ss"), or 0.
        var second: UInt32
    }

    static func entry(_ value: UInt32) -> Entry? {
        if value >= 0x80 && value < 0x250 { return latin[Int(value - 0x80)] }
        if value >= 0x2010 && value < 0x2060 { return punctuation[Int(value - 0x2010)] }
        return value == 0x20ac ? euro : nil
    }

    private static let latin: [Entry?] = (0x80..<0x250).map { fold(UInt32($0)) }
    private static let punctuation: [Entry?] = (0x2010..<0x2060).map { fold(UInt32($0)) }
    private static let euro: Entry? = fold(0x20ac)

    /// The same steps as `foldAndAppend`, for one scalar; nil when the result is not a plain
    /// separator or one or two letters.
    static func fold(_ value: UInt32) -> Entry? {
        guard let scalar = Unicode.Scalar(value), scalar.properties.generalCategory != .format,
            scalar.properties.generalCategory != .nonspacingMark, scalar.properties.numericType == nil
        else { return nil }
        let folded = String(Character(scalar)).folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var letters: [UInt32] = []
        var separator = false
        for scalar in folded.unicodeScalars {
            let properties = scalar.properties
            if properties.isAlphabetic {
                if properties.changesWhenLowercased {
                    letters += properties.lowercaseMapping.unicodeScalars.map(\.value)
                } else {
                    letters.append(scalar.value)
                }
            } else if properties.numericType != nil || properties.generalCategory == .nonspacingMark {
                return nil
            } else {
                separator = true
            }
        }
        if separator { return letters.isEmpty ? Entry(first: 0, second: 0) : nil }
        guard (1...2).contains(letters.count), !letters.contains(0) else { return nil }
        return Entry(first: letters[0], second: letters.count == 2 ? letters[1] : 0)
    }
}

/// Featurising buffers kept between predictions: each request's classification would otherwise
/// allocate and fill them anew (the repeated-word table alone is tens of kilobytes for a long text).
final class ScratchPool: Sendable {
    static let shared = ScratchPool()
    private let spare = Mutex<[FeatureHasher.Scratch]>([])

    func take() -> FeatureHasher.Scratch {
        spare.withLock { $0.popLast() } ?? FeatureHasher.Scratch()
    }

    /// Keeps a few: one per core covers a gateway under load; more would only hold memory.
    func give(back scratch: FeatureHasher.Scratch) {
        spare.withLock { if $0.count < 8 { $0.append(scratch) } }
    }
}

/// A sparse vector: sorted, distinct indices and their values.
struct SparseVector: Sendable, Hashable {
    var indices: ContiguousArray<Int32>
    var values: ContiguousArray<Float>

    init(indices: ContiguousArray<Int32> = [], values: ContiguousArray<Float> = []) {
        self.indices = indices
        self.values = values
    }

    var count: Int { indices.count }
}

/// Word and character features of one text, kept apart until each is weighted and normalised.
struct FeatureBlocks: Sendable, Hashable {
    var words: SparseVector
    var characters: SparseVector
}

/// A hasher together with what it learned from the training corpus (inverse document frequencies):
/// everything needed to turn a text into the vector the model reads.
struct FeatureSpace: Sendable {
    let hasher: FeatureHasher
    /// Per bucket; empty when IDF weighting is off.
    let idf: [Float]

    /// Smoothed IDF, ln((1 + n) / (1 + df)) + 1, so words every ticket shares ("hello", "order",
    /// "thanks") weigh little and rare, telling ones a lot. Buckets never seen get the maximum.
    static func fit(hasher: FeatureHasher, corpus: [FeatureBlocks], useIDF: Bool) -> FeatureSpace {
        precondition((4...26).contains(hasher.bits), "FeatureHasher.bits must be in 4...26")
        guard useIDF else { return FeatureSpace(hasher: hasher, idf: []) }
        var documentFrequency = [Int32](repeating: 0, count: hasher.dimension)
        var lastDocument = [Int32](repeating: -1, count: hasher.dimension)
        for (document, blocks) in corpus.enumerated() {
            for index in blocks.words.indices where lastDocument[Int(index)] != Int32(document) {
                lastDocument[Int(index)] = Int32(document)
                documentFrequency[Int(index)] += 1
            }
            for index in blocks.characters.indices where lastDocument[Int(index)] != Int32(document) {
                lastDocument[Int(index)] = Int32(document)
                documentFrequency[Int(index)] += 1
            }
        }
        let n = Float(corpus.count)
        return FeatureSpace(hasher: hasher, idf: documentFrequency.map { log((1 + n) / (1 + Float($0))) + 1 })
    }

    func vector(_ text: String) -> SparseVector {
        var scratch = ScratchPool.shared.take()
        defer { ScratchPool.shared.give(back: scratch) }
        return vector(hasher.counts(text, scratch: &scratch))
    }

    /// Each block IDF-weighted and scaled to unit length, the word block then multiplied by
    /// `wordWeight`, the two merged and the result scaled to unit length.
    func vector(_ blocks: FeatureBlocks) -> SparseVector {
        let words = blocks.words, characters = blocks.characters
        let a = hasher.wordWeight * inverseNorm(words), b = inverseNorm(characters)
        var indices = ContiguousArray<Int32>()
        var values = ContiguousArray<Float>()
        indices.reserveCapacity(words.count + characters.count)
        values.reserveCapacity(words.count + characters.count)
        var i = 0, j = 0
        var sum: Float = 0
        while i < words.count || j < characters.count {
            let index: Int32, value: Float
            if j == characters.count || (i < words.count && words.indices[i] < characters.indices[j]) {
                index = words.indices[i]; value = a * words.values[i]; i += 1
            } else if i == words.count || characters.indices[j] < words.indices[i] {
                index = characters.indices[j]; value = b * characters.values[j]; j += 1
            } else {
                index = words.indices[i]; value = a * words.values[i] + b * characters.values[j]; i += 1; j += 1
            }
            let weighted = idf.isEmpty ? value : value * idf[Int(index)]
            indices.append(index)
            values.append(weighted)
            sum += weighted * weighted
        }
        let scale: Float = sum > 0 ? 1 / sum.squareRoot() : 0
        for k in 0..<values.count { values[k] *= scale }
        return SparseVector(indices: indices, values: values)
    }

    /// The word block alone, IDF-weighted and unit length (to compare texts by their words).
    func wordVector(_ blocks: FeatureBlocks) -> SparseVector {
        var words = blocks.words
        if !idf.isEmpty { for k in 0..<words.count { words.values[k] *= idf[Int(words.indices[k])] } }
        var sum: Float = 0
        for value in words.values { sum += value * value }
        let scale: Float = sum > 0 ? 1 / sum.squareRoot() : 0
        for k in 0..<words.count { words.values[k] *= scale }
        return words
    }

    /// 1 / the L2 norm of the IDF-weighted vector, without building it.
    private func inverseNorm(_ vector: SparseVector) -> Float {
        var sum: Float = 0
        for k in 0..<vector.count {
            let value = idf.isEmpty ? vector.values[k] : vector.values[k] * idf[Int(vector.indices[k])]
            sum += value * value
        }
        return sum > 0 ? 1 / sum.squareRoot() : 0
    }
}
