import Core
import Foundation
import Guards
import LocalEngine

/// Trains (or loads from the model cache) the injection classifier from labelled JSON Lines:
/// `{"id", "text", "label": 0|1}`.
public enum InjectionTraining {
    public enum TrainingError: Error, CustomStringConvertible {
        case unreadable(String)
        case badLine(String, Int)
        case tooFew(String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read the injection training data \(path)"
            case .badLine(let path, let line): "\(path):\(line): expected {\"text\": string, \"label\": 0 or 1}"
            case .tooFew(let path): "\(path): the injection training data needs both injections and benign examples"
            }
        }
    }

    public static func classifier(fromJSONLines paths: [String], cacheDirectory: String? = nil) throws -> TextClassifier {
        var examples: [LabelledExample] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { throw TrainingError.unreadable(path) }
            for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.allSatisfy(\.isWhitespace) {
                guard let item = try? JSONValue.parse(String(line)), let text = item["text"]?.stringValue, let label = item["label"]?.numberValue,
                    label == 0 || label == 1
                else {
                    throw TrainingError.badLine(path, number + 1)
                }
                // Ids are only unique within a file; the file name keeps them apart across files.
                let id = "\((path as NSString).lastPathComponent):\(item["id"]?.stringValue ?? "\(number + 1)")"
                examples.append(LabelledExample(id: id, text: InjectionDetector.classifierText(text), labels: ["injection": label == 1 ? "injection" : "benign"]))
            }
        }
        guard Set(examples.compactMap { $0.labels["injection"] }).count == 2 else { throw TrainingError.tooFew(paths.joined(separator: ", ")) }
        let settings = InjectionDetector.trainingSettings
        if let cacheDirectory {
            let (model, _) = try ClassifierCache(directory: cacheDirectory).loadOrTrain(
                examples: examples, fields: ["injection"], knownLabels: ["injection": ["benign", "injection"]], settings: settings)
            if let head = model.heads["injection"] { return head }
        }
        return try InjectionDetector.trainClassifier(
            texts: examples.map(\.text), labels: examples.map { $0.labels["injection"] == "injection" }, settings: settings)
    }
}
