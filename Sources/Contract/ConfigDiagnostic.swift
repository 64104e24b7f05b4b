/// One configuration error, located precisely enough to fix without searching.
public struct ConfigDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// Path relative to the configuration folder, e.g. `usecases/triage/usecase.yaml`.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// Field path inside the file, e.g. `variants[1].provider`.
    public var path: String
    public var message: String
    public var suggestion: String?

    public init(file: String, line: Int, path: String, message: String, suggestion: String? = nil) {
        self.file = file
        self.line = line
        self.path = path
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        var text = "\(file):\(line): "
        if !path.isEmpty { text += "\(path): " }
        text += message
        if let suggestion { text += " (did you mean '\(suggestion)'?)" }
        return text
    }
}

/// Every error found in a configuration; loading never stops at the first.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics.sorted { ($0.file, $0.line, $0.path) < ($1.file, $1.line, $1.path) }
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Edit distance, for "did you mean" suggestions.
public func levenshtein(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The closest candidate within a small edit distance, if any.
public func suggestion(for value: String, among candidates: [String]) -> String? {
    let lowered = value.lowercased()
    let scored = candidates.map { ($0, levenshtein(lowered, $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let limit = value.count <= 3 ? 1 : min(3, max(2, value.count / 3))
    if best.1 <= limit { return best.0 }
    if let prefix = candidates.first(where: { $0.hasPrefix(lowered) || lowered.hasPrefix($0) }), lowered.count >= 3 {
        return prefix
    }
    return nil
}
