import Foundation

/// One classifier head per output field (e.g. category and priority) over one shared feature space,
/// so a text is featurised once whatever the number of fields.
public struct MultiFieldClassifier: Sendable {
    public let heads: [String: TextClassifier]
    public let settings: TrainingSettings
    let space: FeatureSpace

    init(heads: [String: TextClassifier], settings: TrainingSettings, space: FeatureSpace) {
        self.heads = heads
        self.settings = settings
        self.space = space
    }

    /// The fields this model predicts, sorted.
    public var fields: [String] { heads.keys.sorted() }

    /// Trains one head per field from the same examples; an example without a label for a field does
    /// not train that head. Each head's labels are `knownLabels[field]` first (so the label order, and
    /// the model, do not depend on which labels a sample happens to contain), then any other seen.
    public static func train(
        examples: [LabelledExample], fields: [String], knownLabels: [String: [String]] = [:], settings: TrainingSettings = .init()
    ) throws(LocalEngineError) -> MultiFieldClassifier {
        var scratch = FeatureHasher.Scratch()
        let blocks = examples.map { settings.hasher.counts($0.text, scratch: &scratch) }
        let space = FeatureSpace.fit(hasher: settings.hasher, corpus: blocks, useIDF: settings.inverseDocumentFrequency)
        let matrix = SparseMatrix(blocks.map(space.vector))
        let groups = settings.groupNearDuplicates ? NearDuplicates.groups(blocks.map(space.wordVector)) : Array(blocks.indices)
        var heads: [String: TextClassifier] = [:]
        for field in fields where heads[field] == nil {
            heads[field] = try TextClassifier.train(
                field: field, labels: examples.map { $0.labels[field] }, knownLabels: knownLabels[field] ?? [], matrix: matrix, groups: groups,
                space: space, settings: settings)
        }
        return MultiFieldClassifier(heads: heads, settings: settings, space: space)
    }

    /// Calibrated prediction per field.
    public func predict(_ text: String) -> [String: Prediction] {
        let vector = space.vector(text)
        var result: [String: Prediction] = [:]
        result.reserveCapacity(heads.count)
        for (field, head) in heads { result[field] = head.predict(vector: vector) }
        return result
    }
}
