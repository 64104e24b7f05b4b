import Foundation
import Testing

@testable import LocalEngine

@Suite struct TextClassifierTests {
    /// A small multilingual, two-field toy set: topics are separable by vocabulary.
    static let examples: [LabelledExample] = {
        let billing = ["charged twice for my order", "refund not received on my card", "invoice has the wrong VAT", "payment taken but order failed",
                       "double charge on credit card", "remboursement pas reçu sur ma carte", "doppelte Abbuchung auf der Kreditkarte", "cobro duplicado en mi tarjeta"]
        let shipping = ["parcel has not arrived yet", "tracking number does not work", "courier delivered to the wrong address", "package stuck in transit",
                        "delivery is late by a week", "colis non livré", "Paket ist nicht angekommen", "el paquete no ha llegado"]
        let technical = ["app crashes when I log in", "coffee machine shows error E04", "smart plug will not connect to wifi", "website checkout error 500",
                         "speaker bluetooth pairing fails", "la machine affiche une erreur", "die App stürzt ab", "la aplicación no funciona"]
        var rows: [LabelledExample] = []
        for (label, texts) in [("billing", billing), ("shipping", shipping), ("technical", technical)] {
            for (i, text) in texts.enumerated() {
                for copy in 0..<3 {
                    let priority = text.contains("twice") || text.contains("crashes") ? "high" : "normal"
                    rows.append(LabelledExample(id: "\(label)-\(i)-\(copy)", text: copy == 0 ? text : "Hello, \(text). Thanks \(copy)", labels: ["category": label, "priority": priority]))
                }
            }
        }
        return rows
    }()

    @Test func featureHashingIsDeterministicAndNormalises() {
        let hasher = FeatureHasher()
        let a = hasher.features("Crème brûlée, Crème BRÛLÉE!")
        let b = hasher.features("creme brulee creme brulee")
        #expect(a == b, "case and diacritics fold; punctuation is a separator")
        #expect(a == hasher.features("Crème brûlée, Crème BRÛLÉE!"))
        #expect(!a.words.indices.isEmpty && a.characters.indices == a.characters.indices.sorted())
        #expect(a.characters.indices.count > a.words.indices.count, "character n-grams outnumber words")
        let merged = a.weighted(by: [Float](repeating: 1, count: hasher.dimension))
        let norm = merged.values.reduce(0) { $0 + $1 * $1 }
        #expect(norm > 1.5 && norm < 2.5, "two unit-length blocks merged, \(norm)")
        #expect(FeatureHasher.normalise("Hello, Wörld-42") == ["hello", "world", "42"])
    }

    @Test func learnsSeparableTopicsInSeveralLanguages() throws {
        let model = try MultiFieldClassifier.train(examples: Self.examples, fields: ["category", "priority"], settings: TrainingSettings(epochs: 15))
        #expect(model.predict("I was charged two times, please refund")["category"]?.label == "billing")
        #expect(model.predict("my parcel never arrived, tracking stuck")["category"]?.label == "shipping")
        #expect(model.predict("the app shows an error and crashes")["category"]?.label == "technical")
        #expect(model.predict("mein Paket ist immer noch nicht da")["category"]?.label == "shipping")
        let prediction = try #require(model.predict("refund")["category"])
        let total = prediction.probabilities.values.reduce(0, +)
        #expect(abs(total - 1) < 1e-4)
        #expect(prediction.confidence == prediction.probabilities.values.max())
        #expect(model.heads["category"]!.temperature > 0)
    }

    @Test func unknownLabelsFromTheContractAreKept() throws {
        let model = try MultiFieldClassifier.train(
            examples: Self.examples, fields: ["category"], knownLabels: ["category": ["billing", "shipping", "technical", "sales"]])
        #expect(model.heads["category"]?.labels == ["billing", "shipping", "technical", "sales"])
    }

    @Test func saveAndLoadGiveIdenticalPredictions() throws {
        let model = try MultiFieldClassifier.train(examples: Self.examples, fields: ["category", "priority"])
        let data = ModelFile.encode(model)
        let loaded = try ModelFile.decode(data)
        for text in ["charged twice", "wifi error", "parcel late", "something unrelated"] {
            #expect(loaded.predict(text) == model.predict(text))
        }
        #expect(throws: LocalEngineError.self) { try ModelFile.decode(data.prefix(data.count - 3)) }
        #expect(throws: LocalEngineError.self) { try ModelFile.decode(Data("XXXX".utf8) + data.dropFirst(4)) }
    }

    @Test func cacheLoadsInsteadOfRetrainingAndRetrainsOnNewData() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)").path
        let cache = ClassifierCache(directory: directory)
        let settings = TrainingSettings(epochs: 3)
        let first = try cache.loadOrTrain(examples: Self.examples, fields: ["category"], settings: settings)
        #expect(first.trainedNow)
        let second = try cache.loadOrTrain(examples: Self.examples, fields: ["category"], settings: settings)
        #expect(!second.trainedNow)
        #expect(second.model.predict("refund")["category"] == first.model.predict("refund")["category"])
        var changed = Self.examples
        changed[0].text += " extra"
        #expect(try cache.loadOrTrain(examples: changed, fields: ["category"], settings: settings).trainedNow)
        #expect(try cache.loadOrTrain(examples: Self.examples, fields: ["category"], settings: TrainingSettings(epochs: 4)).trainedNow)
    }

    @Test func singleClassHeadIsAnError() {
        let rows = [LabelledExample(id: "1", text: "a", labels: ["x": "only"]), LabelledExample(id: "2", text: "b", labels: ["x": "only"])]
        #expect(throws: LocalEngineError.singleClass(field: "x")) { try MultiFieldClassifier.train(examples: rows, fields: ["x"]) }
    }

    @Test func datasetLoaderReportsFileAndLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ds-\(UUID().uuidString).jsonl").path
        try """
            {"id": "1", "input": {"subject": "a", "body": "b"}, "expected": {"category": "billing"}}

            {"id": "2", "input": {"subject": "c"}, "expected": "billing"}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: LocalEngineError.invalidLine(file: path, line: 3, reason: "'expected' must be an object")) {
            try LabelledDataset.load(jsonlPath: path, textFields: ["subject", "body"])
        }
        try #"{"id": "1", "input": {"subject": "a", "body": "b"}, "expected": {"category": "billing"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let rows = try LabelledDataset.load(jsonlPath: path, textFields: ["subject", "body"])
        #expect(rows == [LabelledExample(id: "1", text: "a\nb", labels: ["category": "billing"])])
        #expect(throws: LocalEngineError.unreadable(file: path + ".missing")) { try LabelledDataset.load(jsonlPath: path + ".missing", textFields: []) }
    }

    @Test func reportMatchesHandComputedFigures() {
        let report = ClassificationReport(
            expected: ["a", "a", "b", "b", "c"], predicted: ["a", "b", "b", "b", "a"], labels: ["a", "b", "c"])
        #expect(report.accuracy == 0.6)
        // a: P 1/2 R 1/2 F 0.5; b: P 2/3 R 1 F 0.8; c: P 0 R 0 F 0 -> macro (0.5 + 0.8 + 0) / 3
        #expect(abs(report.macroF1 - 1.3 / 3) < 1e-9)
        #expect(report.confusion == [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
        #expect(abs(expectedCalibrationError(confidences: [0.9, 0.9], correct: [true, false]) - 0.4) < 1e-9)
    }
}
