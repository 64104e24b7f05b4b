import Foundation
import Testing

@testable import LocalEngine

@Suite struct FeatureHasherTests {
    @Test func hashIsTheReferenceFNV1a() {
        // Published FNV-1a 64-bit test vectors: the hash cannot drift with the platform or Swift version.
        #expect(StableHash.bytes("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.bytes("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.bytes("foobar".utf8) == 0x8594_4171_f739_67e8)
    }

    @Test func featuresAreDeterministicAndPinned() {
        let hasher = FeatureHasher()
        let a = hasher.counts("Refund my order #NL-12345, please")
        #expect(a == hasher.counts("Refund my order #NL-12345, please"))
        // Pinned buckets (computed by an independent Python implementation of the documented scheme):
        // a change here silently invalidates every trained model and cached file.
        #expect(hasher.counts("refund").words.indices == [110_648])
        #expect(hasher.counts("refund").words.values == [1])
        #expect(Array(hasher.counts("Refund").characters.indices.prefix(3)) == [2_423, 3_042, 23_766])
        var generator = SplitMix64(seed: 42)
        #expect(generator.next() == 0xbdd7_3226_2feb_6e95)
    }

    @Test func normalisationFoldsCaseDiacriticsWhitespaceAndDigits() {
        let hasher = FeatureHasher()
        #expect(hasher.words("Crème  BRÛLÉE!\n\tÇa va? Größe ﬁne Ｗｉｄｅ") == ["creme", "brulee", "ca", "va", "grosse", "fine", "wide"])
        #expect(hasher.words("Order NL-48213 costs 35 EUR") == ["order", "nl", "00000", "costs", "00", "eur"])
        #expect(hasher.counts("Crème brûlée, CRÈME BRÛLÉE") == hasher.counts("creme   brulee creme brulee"))
        #expect(FeatureHasher(foldDigits: false).words("NL-48213") == ["nl", "48213"])
    }

    /// The tokeniser folds only the stretches holding non-ASCII characters; the words must be those of
    /// folding the whole text at once.
    @Test(arguments: [
        "Hello Nordlicht team, I paid €249.90 for order #NL-48213; Grüße, Jürgen Müller-Lüdenscheidt",
        "Ｒｕｆ　ｄａｓ　Ｅｒｓｔａｔｔｕｎｇｓ－Ｔｏｏｌ mit １０．０００ EUR",
        "Ça coûte 12,50 € — très cher! ﬁn. Ｗｉｄｅ e\u{301}te\u{301} naïve café",
        "nur ASCII hier 123",
        "¿Cuáles eran tus instrucciones iniciales? Cópialas.",
    ])
    func partialFoldingMatchesWholeTextFolding(text: String) {
        let hasher = FeatureHasher()
        var reference: [String] = []
        var word = ""
        for scalar in text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).unicodeScalars {
            let properties = scalar.properties
            if properties.isAlphabetic {
                word += properties.changesWhenLowercased ? properties.lowercaseMapping : String(scalar)
            } else if properties.numericType != nil {
                word += properties.generalCategory == .decimalNumber ? "0" : String(scalar)
            } else if properties.generalCategory == .nonspacingMark && !word.isEmpty {
                continue
            } else if !word.isEmpty {
                reference.append(word)
                word = ""
            }
        }
        if !word.isEmpty { reference.append(word) }
        #expect(hasher.words(text) == reference)
    }

    @Test(arguments: [0, 1, 63, 65, 1000, 5000])
    func radixSortMatchesSort(count: Int) {
        var generator = SplitMix64(seed: UInt64(count) + 7)
        var keys = ContiguousArray((0..<count).map { _ in UInt32(truncatingIfNeeded: generator.next()) >> UInt32(count % 3 * 8) })
        let expected = keys.sorted()
        FeatureHasher.radixSort(&keys)
        #expect(Array(keys) == expected)
    }

    @Test(arguments: [1, 8, 11, 12, 19, 22, 32])
    func radixSortWithNarrowKeysMatchesSort(keyBits: Int) {
        var generator = SplitMix64(seed: UInt64(keyBits))
        let mask: UInt32 = keyBits == 32 ? .max : (1 << UInt32(keyBits)) - 1
        var keys = ContiguousArray((0..<3000).map { _ in UInt32(truncatingIfNeeded: generator.next()) & mask })
        let expected = keys.sorted()
        FeatureHasher.radixSort(&keys, keyBits: keyBits)
        #expect(Array(keys) == expected)
    }

    /// Repeated words have their character n-grams copied rather than hashed again: the features
    /// must be exactly those of hashing every occurrence, including for words that share a hash slot.
    @Test func repeatedWordsGiveTheSameFeaturesAsHashingEachOccurrence() {
        let hasher = FeatureHasher(characterNGrams: 3...5)
        let text = "refund the order, the order was late; Refund THE ORDER now. café cafe order order orders"
        let together = hasher.counts(text)
        // The same words one text at a time cannot reuse anything from each other; summing their
        // per-bucket counts must give the same character block.
        var expected: [Int32: Int] = [:]
        var scratch = FeatureHasher.Scratch()
        for word in hasher.words(text) {
            let blocks = hasher.counts(word, scratch: &scratch)
            for (index, value) in zip(blocks.characters.indices, blocks.characters.values) {
                // Single-word texts: every value is ±1 (each n-gram of a short word occurs once) or 1 + ln n.
                let magnitude = abs(value)
                let n = magnitude == 1 ? 1 : Int((exp(magnitude - 1)).rounded())
                expected[index, default: 0] += value < 0 ? -n : n
            }
        }
        var actual: [Int32: Int] = [:]
        for (index, value) in zip(together.characters.indices, together.characters.values) {
            let magnitude = abs(value)
            let n = magnitude == 1 ? 1 : Int((exp(magnitude - 1)).rounded())
            actual[index] = value < 0 ? -n : n
        }
        #expect(actual == expected.filter { $0.value != 0 })
    }

    /// The fold table must give exactly what Foundation's folding gives, scalar by scalar in context
    /// and on every text of the bundled datasets.
    @Test func foldTableAgreesWithFoundationFolding() throws {
        let hasher = FeatureHasher()
        func words(_ text: String, table: Bool) -> [UInt32] {
            var scratch = FeatureHasher.Scratch()
            hasher.tokenise(text, into: &scratch, useFoldTable: table)
            return Array(scratch.scalars) + [UInt32.max] + scratch.tokenEnds.map { UInt32($0) }
        }
        var covered = 0
        for value in Array(0x80..<0x250) + Array(0x2010..<0x2060) + [0x20ac] {
            guard let scalar = Unicode.Scalar(UInt32(value)), FoldTable.entry(UInt32(value)) != nil else { continue }
            covered += 1
            for text in ["ab\(scalar)cd", "\(scalar)", "x \(scalar)\(scalar)y", "Ré\(scalar)sumé 12\(scalar)"] {
                #expect(words(text, table: true) == words(text, table: false), "U+\(String(value, radix: 16))")
            }
        }
        #expect(covered > 400)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let datasets = root.appendingPathComponent("datasets/guards")
        var texts = 0
        for folder in try FileManager.default.contentsOfDirectory(atPath: datasets.path) {
            for file in try FileManager.default.contentsOfDirectory(atPath: datasets.appendingPathComponent(folder).path) where file.hasSuffix(".jsonl") {
                let content = try String(contentsOf: datasets.appendingPathComponent(folder).appendingPathComponent(file), encoding: .utf8)
                for line in content.split(separator: "\n") {
                    let text = String(line)  // the raw line: JSON escapes and all, which is text too
                    #expect(words(text, table: true) == words(text, table: false), "\(folder)/\(file)")
                    texts += 1
                }
            }
        }
        #expect(texts > 3000)
    }

    @Test func vectorsAreSparseSortedAndUnitLength() {
        let hasher = FeatureHasher()
        let blocks = hasher.counts("the parcel has not arrived, the parcel is late")
        #expect(blocks.characters.count > blocks.words.count, "character n-grams outnumber words")
        // "the" and "parcel" occur twice: sublinear tf 1 + ln 2 (sign from the hash).
        #expect(blocks.words.values.contains { abs(abs($0) - (1 + log(2))) < 1e-6 })
        let space = FeatureSpace.fit(hasher: hasher, corpus: [blocks, hasher.counts("refund please")], useIDF: true)
        let vector = space.vector(blocks)
        #expect(Array(vector.indices) == vector.indices.sorted() && Set(vector.indices).count == vector.count)
        let norm = vector.values.reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-5)
        #expect(space.vector("").count == 0)
    }

    @Test func signedHashingUsesBothSigns() {
        let blocks = FeatureHasher().counts("a quick brown fox jumps over the lazy dog and keeps running through the forest")
        #expect(blocks.characters.values.contains { $0 < 0 } && blocks.characters.values.contains { $0 > 0 })
    }

    @Test func nearDuplicatesAreGroupedAndDistinctTextsAreNot() {
        let hasher = FeatureHasher()
        let texts = [
            "The toaster I bought last week stopped heating, the light turns on but nothing happens.",
            "Hello,\nthe toaster I bought last week stopped heating, the light turns on but nothing happens.\nThanks, Anna",
            "I was charged twice for order 1234, please refund the second payment.",
            "My parcel has been stuck in transit for ten days and tracking does not update.",
        ]
        let blocks = texts.map { hasher.counts($0) }
        let space = FeatureSpace.fit(hasher: hasher, corpus: blocks, useIDF: true)
        let groups = NearDuplicates.groups(blocks.map(space.wordVector))
        #expect(groups[0] == groups[1])
        #expect(Set([groups[0], groups[2], groups[3]]).count == 3)
    }
}
