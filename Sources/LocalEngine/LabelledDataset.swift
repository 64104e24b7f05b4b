import Foundation

/// One labelled example: the text the model reads and the expected label of each output field.
public struct LabelledExample: Sendable, Hashable {
    public var id: String
    public var text: String
    /// Output field -> expected label.
    public var labels: [String: String]

    public init(id: String, text: String, labels: [String: String]) {
        self.id = id
        self.text = text
        self.labels = labels
    }
}

/// Why the local engine could not load data, train or load a model. Dataset errors name
/// `file:line`, so the author can go straight to the line.
public enum LocalEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    case unwritableFile(path: String, reason: String)
    /// The line is not valid JSON, or not a JSON object.
    case invalidJSON(path: String, line: Int)
    /// `id`, `input` or `expected` is missing or has the wrong type.
    case invalidRecord(path: String, line: Int, reason: String)
    case emptyDataset(path: String)
    /// A head needs at least two distinct labels in the training data; `label` is the only one
    /// seen, nil when no example has a label for the field.
    case singleClass(field: String, label: String?)
    /// Bad magic, unknown version, truncation or a failed checksum.
    case corruptModel(path: String?, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason): "\(path): cannot read the file (\(reason))"
        case .unwritableFile(let path, let reason): "\(path): cannot write the file (\(reason))"
        case .invalidJSON(let path, let line): "\(path):\(line): not a valid JSON object"
        case .invalidRecord(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .emptyDataset(let path): "\(path): the dataset has no examples"
        case .singleClass(let field, let label?):
            "field '\(field)' has the single label '\(label)' in the training data; a classifier needs at least two"
        case .singleClass(let field, nil): "no training example has a label for field '\(field)'; a classifier needs at least two labels"
        case .corruptModel(let path?, let reason): "\(path): model file is corrupt: \(reason)"
        case .corruptModel(nil, let reason): "model file is corrupt: \(reason)"
        }
    }
}

/// Reads the JSON Lines format shared by training and evaluation everywhere in Gatehouse:
/// `{"id": "...", "input": {...}, "expected": {...}}` per line; blank lines are skipped.
public enum LabelledDataset {
    /// `text` is the named string fields of `input`, in order, joined by "\n" (missing or non-string
    /// fields are left out); `labels` are the string values of `expected`.
    public static func load(jsonlPath: String, textFields: [String]) throws(LocalEngineError) -> [LabelledExample] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: jsonlPath))
        } catch {
            throw .unreadableFile(path: jsonlPath, reason: (error as NSError).localizedDescription)
        }
        return try parse(data, path: jsonlPath, textFields: textFields)
    }

    /// Parses JSON Lines already in memory; `path` only names the source in errors.
    public static func parse(_ data: Data, path: String, textFields: [String]) throws(LocalEngineError) -> [LabelledExample] {
        var examples: [LabelledExample] = []
        var lineNumber = 0
        var lineStart = data.startIndex
        while lineStart < data.endIndex {
            lineNumber += 1
            let lineEnd = data[lineStart...].firstIndex(of: 0x0a) ?? data.endIndex
            var line = data[lineStart..<lineEnd]
            lineStart = lineEnd < data.endIndex ? data.index(after: lineEnd) : data.endIndex
            if lineNumber == 1 && line.starts(with: [0xef, 0xbb, 0xbf]) { line = line.dropFirst(3) }  // UTF-8 byte order mark
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw .invalidJSON(path: path, line: lineNumber)
            }
            func invalid(_ reason: String) -> LocalEngineError { .invalidRecord(path: path, line: lineNumber, reason: reason) }
            let id: String
            switch object["id"] {
            case let string as String: id = string
            case let number as NSNumber: id = number.stringValue  // lenient: numeric ids in hand-written files
            case nil, is NSNull: throw invalid("missing id")
            default: throw invalid("id must be a string")
            }
            guard let inputValue = object["input"], !(inputValue is NSNull) else { throw invalid("missing input") }
            guard let input = inputValue as? [String: Any] else { throw invalid("input must be an object") }
            guard let expectedValue = object["expected"], !(expectedValue is NSNull) else { throw invalid("missing expected") }
            guard let expected = expectedValue as? [String: Any] else { throw invalid("expected must be an object") }
            let text = textFields.compactMap { input[$0] as? String }.joined(separator: "\n")
            examples.append(LabelledExample(id: id, text: text, labels: expected.compactMapValues { $0 as? String }))
        }
        if examples.isEmpty { throw .emptyDataset(path: path) }
        return examples
    }
}
