import Foundation

/// Trained models on disk, keyed by a stable hash of everything that determines them (dataset
/// content, fields, known labels, settings, file format and trainer version), so a restart loads
/// instead of retraining, and any change to the data or settings retrains.
public struct ClassifierCache: Sendable {
    /// Bumped whenever the training code changes what it produces for the same inputs, so models
    /// cached by an older build are retrained rather than served.
    static let trainerVersion: UInt64 = 4

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The cached model for these inputs, or a freshly trained one (then cached). Writing the cache is
    /// best effort: a read-only or full disk costs a retrain at the next start, not a failure now.
    public func loadOrTrain(
        examples: [LabelledExample], fields: [String], knownLabels: [String: [String]] = [:], settings: TrainingSettings = .init()
    ) throws(LocalEngineError) -> (model: MultiFieldClassifier, trainedNow: Bool) {
        let path = self.path(examples: examples, fields: fields, knownLabels: knownLabels, settings: settings)
        if FileManager.default.fileExists(atPath: path), let model = try? MultiFieldClassifier.load(from: path),
            Set(model.heads.keys) == Set(fields), model.settings == settings
        {
            return (model, false)
        }
        let model = try MultiFieldClassifier.train(examples: examples, fields: fields, knownLabels: knownLabels, settings: settings)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? model.save(to: path)
        return (model, true)
    }

    /// `loadOrTrain(examples:fields:knownLabels:settings:)` with labels learned from the data only.
    public func loadOrTrain(
        examples: [LabelledExample], settings: TrainingSettings, fields: [String]
    ) throws(LocalEngineError) -> (model: MultiFieldClassifier, trainedNow: Bool) {
        try loadOrTrain(examples: examples, fields: fields, knownLabels: [:], settings: settings)
    }

    /// Where the model for these inputs is cached.
    public func path(examples: [LabelledExample], fields: [String], knownLabels: [String: [String]] = [:], settings: TrainingSettings) -> String {
        let key = Self.key(examples: examples, fields: fields, knownLabels: knownLabels, settings: settings)
        return URL(fileURLWithPath: directory).appendingPathComponent("classifier-\(key).bin").path
    }

    /// 64-bit stable hash, 16 hex digits. Example ids are left out: renaming examples does not
    /// change the model.
    static func key(examples: [LabelledExample], fields: [String], knownLabels: [String: [String]], settings: TrainingSettings) -> String {
        var hasher = StableHasher()
        hasher.add("gatehouse-local-classifier")
        hasher.add(UInt64(ModelFile.version))
        hasher.add(trainerVersion)
        let sortedFields = Set(fields).sorted()
        hasher.add(UInt64(sortedFields.count))
        for field in sortedFields {
            hasher.add(field)
            let labels = knownLabels[field] ?? []
            hasher.add(UInt64(labels.count))
            for label in labels { hasher.add(label) }
        }
        let features = settings.hasher
        let numbers: [UInt64] = [
            UInt64(features.bits), UInt64(features.characterNGrams.lowerBound), UInt64(features.characterNGrams.upperBound),
            features.wordBigrams ? 1 : 0, features.foldDigits ? 1 : 0, UInt64(features.wordWeight.bitPattern),
            UInt64(clamping: settings.epochs), UInt64(settings.learningRate.bitPattern), UInt64(settings.l2.bitPattern), settings.seed,
            settings.inverseDocumentFrequency ? 1 : 0, settings.calibrationShare.bitPattern, settings.groupNearDuplicates ? 1 : 0, settings.balanceClasses ? 1 : 0,
        ]
        for number in numbers { hasher.add(number) }
        hasher.add(UInt64(examples.count))
        for example in examples {
            hasher.add(example.text)
            let labels = example.labels.sorted { $0.key < $1.key }
            hasher.add(UInt64(labels.count))
            for (field, label) in labels {
                hasher.add(field)
                hasher.add(label)
            }
        }
        let hex = String(hasher.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
