import ArgumentParser
import Contract
import Core
import Foundation
import LocalEngine

struct TrainCommand: ParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train (or load from cache) a use case's local classifier and print its accuracy and macro-F1 on the evaluation dataset.")

    @Argument(help: "Use case id, e.g. ticket-triage.")
    var useCase: String

    @OptionGroup var source: ConfigurationOptions

    @Option(name: .long, help: "Local variant to train (default: the stable variant, else the first local one).")
    var variant: String?

    @Option(name: .long, help: "JSON Lines file to evaluate on (default: the contract's evaluation.dataset).")
    var dataset: String?

    func run() throws {
        let configuration = try source.loadConfiguration()
        guard let contract = configuration.useCase(id: useCase) else {
            printError("gatehouse: unknown use case '\(useCase)'")
            throw ExitCode(2)
        }
        let candidates = contract.variants.filter { if case .local = $0.engine { return true } else { return false } }
        let chosen = variant.flatMap { name in candidates.first { $0.name == name } }
            ?? candidates.first { $0.name == contract.stableVariant } ?? (variant == nil ? candidates.first : nil)
        guard let chosen, case .local(let local) = chosen.engine else {
            printError("gatehouse: use case '\(useCase)' has no local variant\(variant.map { " named '\($0)'" } ?? "")")
            throw ExitCode(2)
        }
        guard let evaluationPath = dataset ?? contract.evaluation?.dataset else {
            printError("gatehouse: no evaluation dataset; pass --dataset or set evaluation.dataset in the contract")
            throw ExitCode(2)
        }
        do throws(LocalEngineError) {
            let trainStarted = ContinuousClock.now
            let examples = try LabelledDataset.load(jsonlPath: local.trainingData, textFields: local.textFields)
            let fields = contract.task.labels.keys.sorted()
            let cache = ClassifierCache(directory: (configuration.server.dataDirectory as NSString).appendingPathComponent("models"))
            let (model, trained) = try cache.loadOrTrain(
                examples: examples, fields: fields, knownLabels: contract.task.labels, settings: TrainingSettings(epochs: local.epochs))
            let trainSeconds = (ContinuousClock.now - trainStarted).milliseconds / 1000
            let test = try LabelledDataset.load(jsonlPath: evaluationPath, textFields: local.textFields)
            let predictStarted = ContinuousClock.now
            let predictions = test.map { model.predict($0.text) }
            let predictSeconds = (ContinuousClock.now - predictStarted).milliseconds / 1000
            print("Use case \(contract.id), variant \(chosen.name)@\(chosen.version)")
            print(String(format: "Training: %d examples, %@ in %.2f s", examples.count, trained ? "trained" : "loaded from cache", trainSeconds))
            print(String(format: "Evaluation: %d examples from %@ (%.0f predictions/s)", test.count,
                (evaluationPath as NSString).lastPathComponent, Double(test.count) / max(predictSeconds, 1e-9)))
            for field in fields {
                let labelled = test.indices.filter { test[$0].labels[field] != nil }
                let expected = labelled.map { test[$0].labels[field]! }
                let predicted = labelled.map { predictions[$0][field]?.label ?? "" }
                let report = ClassificationReport(expected: expected, predicted: predicted, labels: contract.task.labels[field] ?? [])
                let confidences = labelled.map { predictions[$0][field]?.confidence ?? 0 }
                let ece = expectedCalibrationError(confidences: confidences, correct: zip(expected, predicted).map { $0 == $1 })
                print("")
                print(String(format: "%@: accuracy %.3f  macro-F1 %.3f  ECE %.3f  (n=%d)", field, report.accuracy, report.macroF1, ece, expected.count))
                print("  label            precision  recall     f1  support")
                for row in report.perLabel {
                    print("  " + row.label.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: " %9.3f %7.3f %6.3f %8d", row.precision, row.recall, row.f1, row.support))
                }
                print("  confusion (rows expected, columns predicted)")
                print("  " + String(repeating: " ", count: 16) + report.labels.map { String($0.prefix(9)).padding(toLength: 10, withPad: " ", startingAt: 0) }.map { " " + $0.dropLast() }.joined())
                for (label, row) in zip(report.labels, report.confusion) {
                    print("  " + label.padding(toLength: 16, withPad: " ", startingAt: 0) + row.map { String(format: "%10d", $0) }.joined())
                }
            }
        } catch {
            printError("gatehouse: \(error)")
            throw ExitCode(1)
        }
    }
}
