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

    public static func classifier(fromJSONLines path: String, cacheDirectory: String? = nil) throws -> TextClassifier {
        guard let data = FileManager.default.contents(atPath: path) else { throw TrainingError.unreadable(path) }
        var examples: [LabelledExample] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let item = try? JSONValue.parse(String(line)), let text = item["text"]?.stringValue, let label = item["label"]?.numberValue else {
                throw TrainingError.badLine(path, number + 1)
            }
            examples.append(LabelledExample(id: item["id"]?.stringValue ?? "\(number)", text: InjectionDetector.classifierText(text), labels: ["injection": label >= 1 ? "injection" : "benign"]))
        }
        guard Set(examples.compactMap { $0.labels["injection"] }).count == 2 else { throw TrainingError.tooFew(path) }
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
