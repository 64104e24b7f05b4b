import Foundation
import Testing

@testable import LocalEngine

@Suite struct PersistenceTests {
    static let texts = ["charged twice", "wifi error", "parcel late", "something unrelated", "", "Größe ändern, bitte!"]

    @Test func saveAndLoadGiveIdenticalPredictions() throws {
        let model = try MultiFieldClassifier.train(
            examples: ToyData.examples, fields: ["category", "priority"], knownLabels: ["priority": ["low", "normal", "high"]])
        let path = ToyData.temporaryPath("model.bin")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try MultiFieldClassifier.load(from: path)
        for text in Self.texts {
            #expect(loaded.predict(text) == model.predict(text))
        }
        #expect(loaded.settings == model.settings)
        #expect(loaded.heads["priority"]?.labels == ["low", "normal", "high"])
        #expect(loaded.serialized() == model.serialized(), "encoding is deterministic")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 3 * 2 * (1 << 18) * 4, "sparse rows are smaller than dense weights")
    }

    @Test func damagedFilesAreRejected() throws {
        let model = try MultiFieldClassifier.train(examples: ToyData.examples, fields: ["category"])
        let data = model.serialized()
        #expect(data.prefix(4) == Data("GHLC".utf8))
        func rejects(_ bytes: Data, _ reason: String) {
            #expect(throws: LocalEngineError.self, "\(reason)") { try MultiFieldClassifier(serialized: bytes) }
        }
        rejects(Data(), "empty")
        rejects(data.prefix(data.count - 3), "truncated")
        rejects(data.prefix(100), "truncated early")
        rejects(Data("XXXX".utf8) + data.dropFirst(4), "bad magic")
        var flipped = data
        flipped[data.count / 2] ^= 0x01
        rejects(flipped, "flipped bit")
        var version = data
        version[4] = 99
        rejects(version, "unknown version")
        rejects(data + Data([0]), "trailing byte")
        do {
            _ = try MultiFieldClassifier(serialized: Data("XXXX".utf8) + data.dropFirst(4))
        } catch {
            #expect(error.description.contains("bad magic"))
        }
    }

    @Test func cacheLoadsInsteadOfRetrainingAndRetrainsOnChange() throws {
        let directory = ToyData.temporaryPath("cache")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = ClassifierCache(directory: directory)
        let settings = TrainingSettings(epochs: 3)
        let first = try cache.loadOrTrain(examples: ToyData.examples, fields: ["category"], settings: settings)
        #expect(first.trainedNow)
        let second = try cache.loadOrTrain(examples: ToyData.examples, fields: ["category"], settings: settings)
        #expect(!second.trainedNow)
        for text in Self.texts {
            #expect(second.model.predict(text) == first.model.predict(text))
        }
        // The brief's argument order works too, and hits the same entry.
        #expect(try !cache.loadOrTrain(examples: ToyData.examples, settings: settings, fields: ["category"]).trainedNow)

        var changed = ToyData.examples
        changed[0].text += " extra"
        #expect(try cache.loadOrTrain(examples: changed, fields: ["category"], settings: settings).trainedNow)
        var relabelled = ToyData.examples
        relabelled[0].labels["category"] = "shipping"
        #expect(try cache.loadOrTrain(examples: relabelled, fields: ["category"], settings: settings).trainedNow)
        #expect(try cache.loadOrTrain(examples: ToyData.examples, fields: ["category"], settings: TrainingSettings(epochs: 4)).trainedNow)
        #expect(try cache.loadOrTrain(examples: ToyData.examples, fields: ["category", "priority"], settings: settings).trainedNow)
        #expect(try !cache.loadOrTrain(examples: changed, fields: ["category"], settings: settings).trainedNow)

        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count == 5 && files.allSatisfy { $0.hasPrefix("classifier-") && $0.hasSuffix(".bin") }, "no temporary files left: \(files)")
    }

    @Test func cacheRetrainsOverACorruptEntry() throws {
        let directory = ToyData.temporaryPath("cache")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = ClassifierCache(directory: directory)
        let settings = TrainingSettings(epochs: 2)
        let path = cache.path(examples: ToyData.examples, fields: ["category"], settings: settings)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("GHLC garbage".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try cache.loadOrTrain(examples: ToyData.examples, fields: ["category"], settings: settings).trainedNow)
        #expect(try !cache.loadOrTrain(examples: ToyData.examples, fields: ["category"], settings: settings).trainedNow)
    }

    @Test func cacheKeyIgnoresIdsAndIsStable() {
        let settings = TrainingSettings()
        var renamed = ToyData.examples
        renamed[0].id = "another-id"
        let key = ClassifierCache.key(examples: ToyData.examples, fields: ["category"], knownLabels: [:], settings: settings)
        #expect(key == ClassifierCache.key(examples: renamed, fields: ["category"], knownLabels: [:], settings: settings))
        #expect(key.count == 16)
        #expect(key != ClassifierCache.key(examples: ToyData.examples, fields: ["category"], knownLabels: ["category": ["billing"]], settings: settings))
    }
}
