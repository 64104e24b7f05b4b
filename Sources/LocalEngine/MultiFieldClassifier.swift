import Foundation

/// One classifier head per output field (e.g. category and priority), sharing the text features.
public struct MultiFieldClassifier: Sendable {
    public let heads: [String: TextClassifier]
    public let hasher: FeatureHasher
    /// Inverse document frequency per hashed feature, from the training corpus.
    let idf: [Float]

    init(heads: [String: TextClassifier], hasher: FeatureHasher, idf: [Float]) {
        self.heads = heads
        self.hasher = hasher
        self.idf = idf
    }

    /// Trains one head per field; labels are those seen in the data plus `knownLabels` (so the label
    /// order, and the model, do not depend on which labels a sample happens to contain).
    public static func train(
        examples: [LabelledExample], fields: [String], knownLabels: [String: [String]] = [:], settings: TrainingSettings = .init()
    ) throws(LocalEngineError) -> MultiFieldClassifier {
        let raw = examples.map { settings.hasher.features($0.text) }
        let idf = SparseVector.inverseDocumentFrequency(raw, dimension: settings.hasher.dimension)
        let features = raw.map { $0.weighted(by: idf) }
        var heads: [String: TextClassifier] = [:]
        for field in fields {
            let labelled = examples.indices.filter { examples[$0].labels[field] != nil }
            var labels = knownLabels[field] ?? []
            for i in labelled where !labels.contains(examples[i].labels[field]!) { labels.append(examples[i].labels[field]!) }
            guard Set(labelled.map { examples[$0].labels[field]! }).count >= 2 else { throw .singleClass(field: field) }
            heads[field] = TextClassifier.train(
                labels: labels, features: labelled.map { features[$0] },
                targets: labelled.map { labels.firstIndex(of: examples[$0].labels[field]!)! }, settings: settings)
        }
        return MultiFieldClassifier(heads: heads, hasher: settings.hasher, idf: idf)
    }

    /// Prediction per field; the text is featurised once.
    public func predict(_ text: String) -> [String: Prediction] {
        let features = hasher.features(text).weighted(by: idf)
        return heads.mapValues { $0.predict(features: features) }
    }
}
