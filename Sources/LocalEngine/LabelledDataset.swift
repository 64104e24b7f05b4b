import Foundation

/// One labelled example: the text the model reads and the expected label of each output field.
public struct LabelledExample: Sendable, Hashable {
    public var id: String
    public var text: String
    public var labels: [String: String]
    public init(id: String, text: String, labels: [String: String]) {
        self.id = id
        self.text = text
        self.labels = labels
    }
}

public enum LocalEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(file: String)
    case invalidLine(file: String, line: Int, reason: String)
    case emptyDataset(file: String)
    case singleClass(field: String)
    case corruptModel(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file): return "\(file): cannot read the file"
        case .invalidLine(let file, let line, let reason): return "\(file):\(line): \(reason)"
        case .emptyDataset(let file): return "\(file): the dataset has no examples"
        case .singleClass(let field): return "field '\(field)' has a single label in the training data; a classifier needs at least two"
        case .corruptModel(let reason): return "model file is corrupt: \(reason)"
        }
    }
}

/// Reads the JSON Lines format shared by training and evaluation: `{"id", "input": {...}, "expected": {...}}`.
public enum LabelledDataset {
    public struct Row: Sendable {
        public var id: String
        public var input: [String: any Sendable]
        public var expected: [String: String]
        public var line: Int
    }

    public static func load(jsonlPath: String, textFields: [String]) throws(LocalEngineError) -> [LabelledExample] {
        try rows(jsonlPath: jsonlPath).map { row in
            LabelledExample(id: row.id, text: text(of: row.input, fields: textFields), labels: row.expected)
        }
    }

    /// The text the classifier reads: the named string fields, in order, one per line.
    public static func text(of input: [String: any Sendable], fields: [String]) -> String {
        fields.compactMap { input[$0] as? String }.joined(separator: "\n")
    }

    public static func rows(jsonlPath: String) throws(LocalEngineError) -> [Row] {
        guard let data = FileManager.default.contents(atPath: jsonlPath), let content = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: jsonlPath)
        }
        var rows: [Row] = []
        for (offset, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                throw .invalidLine(file: jsonlPath, line: number, reason: "not a JSON object")
            }
            guard let id = object["id"] as? String ?? (object["id"] as? NSNumber)?.stringValue else {
                throw .invalidLine(file: jsonlPath, line: number, reason: "missing 'id'")
            }
            guard let input = object["input"] as? [String: Any] else {
                throw .invalidLine(file: jsonlPath, line: number, reason: "'input' must be an object")
            }
            guard let expected = object["expected"] as? [String: Any] else {
                throw .invalidLine(file: jsonlPath, line: number, reason: "'expected' must be an object")
            }
            var sendableInput: [String: any Sendable] = [:]
            for (key, value) in input {
                if let string = value as? String { sendableInput[key] = string } else { sendableInput[key] = "\(value)" }
            }
            rows.append(Row(id: id, input: sendableInput, expected: expected.compactMapValues { $0 as? String }, line: number))
        }
        if rows.isEmpty { throw .emptyDataset(file: jsonlPath) }
        return rows
    }
}
