import Core
import Foundation
import LocalEngine
import Logging

/// The trained local models of a configuration, keyed `<use case>/<variant>`.
public struct LocalModelRegistry: Sendable {
    public struct Model: Sendable {
        public var classifier: MultiFieldClassifier
        public var textFields: [String]
    }

    public var models: [String: Model]

    /// Trains every local variant (or loads it from the cache when data and settings are unchanged).
    public static func build(configuration: GatewayConfiguration, cacheDirectory: String, logger: Logger) throws -> LocalModelRegistry {
        let cache = ClassifierCache(directory: cacheDirectory)
        var models: [String: Model] = [:]
        for useCase in configuration.useCases {
            for variant in useCase.variants {
                guard case .local(let local) = variant.engine else { continue }
                let started = ContinuousClock.now
                var examples = try LabelledDataset.load(jsonlPath: local.trainingData, textFields: local.textFields)
                // Corrections from people, on top of the base data, weighted so a few of them count.
                for path in local.corrections {
                    let corrections = try LabelledDataset.load(jsonlPath: path, textFields: local.textFields)
                    for copy in 0..<local.correctionsWeight {
                        examples += corrections.map { LabelledExample(id: "\($0.id)#\(copy)", text: $0.text, labels: $0.labels) }
                    }
                }
                let fields = useCase.task.labels.keys.sorted()
                let (classifier, trained) = try cache.loadOrTrain(
                    examples: examples, fields: fields, knownLabels: useCase.task.labels, settings: TrainingSettings(epochs: local.epochs))
                models["\(useCase.id)/\(variant.name)"] = Model(classifier: classifier, textFields: local.textFields)
                logger.info(
                    trained ? "local model trained" : "local model loaded from cache",
                    metadata: [
                        "usecase.id": "\(useCase.id)", "variant": "\(variant.name)", "examples": "\(examples.count)",
                        "duration_ms": "\(Int((ContinuousClock.now - started).milliseconds))",
                    ])
            }
        }
        return LocalModelRegistry(models: models)
    }
}

/// The built-in engine as a model provider: reads the structured input, answers with structured
/// output and a calibrated confidence (the lowest of its heads). No network, no cost.
public struct LocalClassifierProvider: ModelProvider {
    public let name: String
    let registry: LocalModelRegistry

    public init(name: String, models: LocalModelRegistry) {
        self.name = name
        self.registry = models
    }

    public func complete(_ request: ModelRequest, timeout: Duration) async throws -> ModelResponse {
        guard let model = registry.models[request.model] else { throw ProviderError.notConfigured("no local model \(request.model)") }
        let text: String
        if let input = request.input?.objectValue {
            text = model.textFields.compactMap { input[$0]?.stringValue }.joined(separator: "\n")
        } else {
            text = request.messages.last(where: { $0.role == "user" })?.text ?? ""
        }
        let predictions = model.classifier.predict(text)
        var output: [String: JSONValue] = [:]
        var confidence = 1.0
        for (field, prediction) in predictions {
            output[field] = .string(prediction.label)
            confidence = min(confidence, prediction.confidence)
        }
        return ModelResponse(
            content: nil, usage: TokenUsage(inputTokens: TokenUsage.estimate(characters: text.count), outputTokens: 0, estimated: true),
            model: request.model, structuredOutput: .object(output), confidence: confidence)
    }

    public func stream(_ request: ModelRequest, timeout: Duration) async throws -> ModelEventStream {
        let response = try await complete(request, timeout: timeout)
        let (stream, continuation) = ModelEventStream.makeStream()
        continuation.yield(.textDelta((response.structuredOutput ?? .null).compactJSONString()))
        continuation.yield(.finish(reason: "stop"))
        continuation.yield(.usage(response.usage))
        continuation.finish()
        return stream
    }
}
