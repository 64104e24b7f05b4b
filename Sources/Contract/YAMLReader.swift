import Core
import Yams

/// Collects diagnostics while a file is read; one per configuration load.
final class DiagnosticSink {
    var diagnostics: [ConfigDiagnostic] = []

    func add(_ file: String, _ line: Int, _ path: String, _ message: String, suggestion: String? = nil) {
        diagnostics.append(ConfigDiagnostic(file: file, line: line, path: path, message: message, suggestion: suggestion))
    }
}

/// Reads one YAML node with its location, reporting type errors and unknown keys to the sink.
struct YAMLReader {
    let node: Node
    let path: String
    let file: String
    let sink: DiagnosticSink

    var line: Int { node.mark?.line ?? 1 }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ message: String, suggestion: String? = nil) {
        sink.add(file, line, path, message, suggestion: suggestion)
    }

    /// The mapping's entries, after reporting keys outside `allowed` (with a suggestion).
    func mapping(allowed: [String]) -> [String: YAMLReader]? {
        guard case .mapping(let mapping) = node else {
            error("expected a mapping, got \(kindName)")
            return nil
        }
        var entries: [String: YAMLReader] = [:]
        for (keyNode, valueNode) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let keyLine = keyNode.mark?.line ?? line
            if !allowed.contains(key) {
                sink.add(file, keyLine, child(key), "unknown field '\(key)'", suggestion: suggestion(for: key, among: allowed))
                continue
            }
            entries[key] = YAMLReader(node: valueNode, path: child(key), file: file, sink: sink, keyLine: keyLine)
        }
        return entries
    }

    /// Line of the key this value belongs to (errors point at the key).
    var keyLine: Int?

    init(node: Node, path: String, file: String, sink: DiagnosticSink, keyLine: Int? = nil) {
        self.node = node
        self.path = path
        self.file = file
        self.sink = sink
        self.keyLine = keyLine
    }

    var reportLine: Int { keyLine ?? line }

    func fail(_ message: String, suggestion: String? = nil) {
        sink.add(file, reportLine, path, message, suggestion: suggestion)
    }

    var kindName: String {
        switch node {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    var isNull: Bool {
        if case .scalar(let s) = node, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return true }
        return false
    }

    var string: String? {
        guard case .scalar(let s) = node, !isNull else {
            fail("expected a string, got \(kindName)")
            return nil
        }
        return s.string
    }

    var nonEmptyString: String? {
        guard let s = string else { return nil }
        if s.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" }) {
            fail("must not be empty")
            return nil
        }
        return s
    }

    var double: Double? {
        guard case .scalar(let s) = node, s.style == .plain, let value = Double(s.string), value.isFinite else {
            fail("expected a number, got \(kindName)")
            return nil
        }
        return value
    }

    func double(min: Double, max: Double = .infinity) -> Double? {
        guard let value = double else { return nil }
        guard value >= min && value <= max else {
            fail(max.isInfinite ? "must be at least \(formatted(min)), got \(formatted(value))" : "must be between \(formatted(min)) and \(formatted(max)), got \(formatted(value))")
            return nil
        }
        return value
    }

    func int(min: Int) -> Int? {
        guard case .scalar(let s) = node, s.style == .plain, let value = Int(s.string) else {
            fail("expected an integer, got \(kindName)")
            return nil
        }
        guard value >= min else {
            fail("must be at least \(min), got \(value)")
            return nil
        }
        return value
    }

    var bool: Bool? {
        guard case .scalar(let s) = node, s.style == .plain else {
            fail("expected true or false, got \(kindName)")
            return nil
        }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail("expected true or false, got \(kindName)")
            return nil
        }
    }

    func oneOf<E: RawRepresentable & CaseIterable>(_ type: E.Type) -> E? where E.RawValue == String {
        guard let text = string else { return nil }
        if let value = E(rawValue: text) { return value }
        let names = E.allCases.map(\.rawValue)
        fail("'\(text)' is not one of \(names.joined(separator: ", "))", suggestion: suggestion(for: text, among: names))
        return nil
    }

    var sequence: [YAMLReader]? {
        guard case .sequence(let items) = node else {
            fail("expected a list, got \(kindName)")
            return nil
        }
        return items.enumerated().map { index, item in
            YAMLReader(node: item, path: "\(path)[\(index)]", file: file, sink: sink)
        }
    }

    var stringList: [String]? {
        guard let items = sequence else { return nil }
        let strings = items.compactMap(\.string)
        return strings.count == items.count ? strings : nil
    }

    /// The node as JSON (for schemas and field values): plain scalars typed, quoted scalars strings.
    var json: JSONValue {
        Self.json(node)
    }

    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let s):
            guard s.style == .plain else { return .string(s.string) }
            switch s.string {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default:
                if let number = Double(s.string), s.string.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
                    return .number(number)
                }
                return .string(s.string)
            }
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping { object[key.scalar?.string ?? ""] = json(value) }
            return .object(object)
        case .alias: return .null
        }
    }

    private func formatted(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

