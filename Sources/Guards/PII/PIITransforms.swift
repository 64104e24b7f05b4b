/// Replacing personal data in text: redaction (`[EMAIL]`) or pseudonymization (`<PERSON_1>`, stable
/// within one invocation, reversible with the same table).
public enum PIIRedaction {
    /// The text with every finding replaced by `[TYPE]`. Findings must not overlap (the detector's never do).
    public static func redact(_ text: String, _ findings: [PIIFinding]) -> String {
        replace(text, findings) { "[\($0.type.rawValue)]" }
    }

    /// Findings count Unicode scalars; the text between them is copied as UTF-8 slices of the original
    /// (no array of scalars, no scalar-by-scalar rebuild: this runs on every guarded payload).
    static func replace(_ text: String, _ findings: [PIIFinding], with replacement: (PIIFinding) -> String) -> String {
        guard !findings.isEmpty else { return text }
        let scalars = text.unicodeScalars
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 16 * findings.count)
        // `copied` is the index of scalar `position`: the text before it is in `output`.
        var copied = scalars.startIndex
        var position = 0
        for finding in findings.sorted(by: { $0.start < $1.start }) where finding.start >= position && finding.end >= finding.start {
            guard let start = scalars.index(copied, offsetBy: finding.start - position, limitedBy: scalars.endIndex) else { break }
            // A finding that runs past the end of the text is skipped.
            guard let end = scalars.index(start, offsetBy: finding.end - finding.start, limitedBy: scalars.endIndex) else { continue }
            output.append(contentsOf: text.utf8[copied..<start])
            output.append(contentsOf: replacement(finding).utf8)
            copied = end
            position = finding.end
        }
        output.append(contentsOf: text.utf8[copied...])
        return String(decoding: output, as: UTF8.self)
    }

    public static func value(_ text: String, _ finding: PIIFinding) -> String {
        let scalars = text.unicodeScalars
        guard finding.start >= 0, let start = scalars.index(scalars.startIndex, offsetBy: finding.start, limitedBy: scalars.endIndex) else { return "" }
        let end = scalars.index(start, offsetBy: max(0, finding.end - finding.start), limitedBy: scalars.endIndex) ?? scalars.endIndex
        return String(scalars[start..<end])
    }
}

/// Placeholders for personal data, stable per invocation: the same value always gets the same
/// placeholder, so a model can still tell that two mentions are one person. The table never leaves
/// the gateway and is not logged.
public struct Pseudonymizer: Sendable, Hashable {
    /// value -> placeholder
    public private(set) var placeholders: [String: String] = [:]
    private var counters: [PIIType: Int] = [:]

    public init() {}

    public var isEmpty: Bool { placeholders.isEmpty }

    public mutating func pseudonymize(_ text: String, _ findings: [PIIFinding]) -> String {
        let values = findings.map { PIIRedaction.value(text, $0) }
        for (finding, value) in zip(findings, values) where placeholders[value] == nil {
            let next = (counters[finding.type] ?? 0) + 1
            counters[finding.type] = next
            placeholders[value] = "<\(finding.type.rawValue)_\(next)>"
        }
        return PIIRedaction.replace(text, findings) { placeholders[PIIRedaction.value(text, $0)] ?? "[\($0.type.rawValue)]" }
    }

    /// The text with every placeholder put back to its real value.
    public func restore(_ text: String) -> String {
        guard !placeholders.isEmpty, text.utf8.contains(60) else { return text }
        var result = text
        // Longest placeholders first, so <PERSON_10> is not read as <PERSON_1> followed by "0>".
        for (value, placeholder) in placeholders.sorted(by: { $0.value.count > $1.value.count }) {
            result = result.replacingAll(placeholder, with: value)
        }
        return result
    }
}

extension String {
    /// Foundation-free replacement of every occurrence.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(target) {
                result += replacement
                index = self.index(index, offsetBy: target.count)
            } else {
                result.append(self[index])
                index = self.index(after: index)
            }
        }
        return result
    }
}

/// Guards a text stream: holds back the last `holdback` scalars so that an entity split across
/// chunks is seen whole, releases the rest with personal data replaced, and flushes at the end.
/// A cut never falls inside a finding.
public struct StreamingRedactor: Sendable {
    public enum Mode: Sendable {
        /// Replace every finding with `[TYPE]`.
        case redactAll
        /// Replace findings whose value is not in `allowed` (values the caller sent itself), and
        /// put pseudonym placeholders back.
        case leakCheck(allowed: Set<String>, pseudonyms: Pseudonymizer)
    }

    let detector: PIIDetector
    let holdback: Int
    let mode: Mode
    private var pending: [Unicode.Scalar] = []
    private var released: [Unicode.Scalar] = []
    /// Findings replaced so far, by type.
    public private(set) var replaced: [PIIType: Int] = [:]

    public init(detector: PIIDetector = PIIDetector(), holdback: Int = 96, mode: Mode = .redactAll) {
        self.detector = detector
        self.holdback = holdback
        self.mode = mode
    }

    /// Adds a chunk; returns the text that is safe to release now (possibly empty).
    public mutating func push(_ chunk: String) -> String {
        pending.append(contentsOf: chunk.unicodeScalars)
        guard pending.count > holdback else { return "" }
        return release(upTo: pending.count - holdback, final: false)
    }

    /// Releases everything still held back.
    public mutating func finish() -> String {
        release(upTo: pending.count, final: true)
    }

    private mutating func release(upTo proposed: Int, final: Bool) -> String {
        var text = String.UnicodeScalarView()
        text.append(contentsOf: pending)
        let buffer = restoreIfNeeded(String(text))
        let scalars = Array(buffer.unicodeScalars)
        // Restoring pseudonyms changes lengths; work on the restored buffer from here on.
        var cut = final ? scalars.count : max(0, proposed + (scalars.count - pending.count))
        // The tail of what was already released is read again as context (a salutation or a cue such
        // as "born on" before the cut), but only findings inside the pending text count.
        var window = String.UnicodeScalarView()
        window.append(contentsOf: released)
        window.append(contentsOf: scalars)
        let shift = released.count
        let findings = detector.detect(String(window)).compactMap { finding -> PIIFinding? in
            guard finding.end > shift else { return nil }
            return PIIFinding(start: max(0, finding.start - shift), end: finding.end - shift, type: finding.type, score: finding.score)
        }
        for finding in findings where finding.start < cut && finding.end > cut {
            cut = final ? finding.end : finding.start
        }
        // Never cut inside a placeholder being written (<PERSON_1>) either.
        if !final, let open = scalars[..<cut].lastIndex(of: "<"), !scalars[open..<cut].contains(">"), cut - open < 24 { cut = open }
        let releasable = findings.filter { $0.end <= cut }
        var head = String.UnicodeScalarView()
        head.append(contentsOf: scalars[..<cut])
        let output = replace(String(head), releasable)
        pending = Array(scalars[cut...])
        released = Array((released + Array(output.unicodeScalars)).suffix(Self.contextLength))
        return output
    }

    /// Scalars of already released text re-read as context.
    static let contextLength = 48

    private func restoreIfNeeded(_ text: String) -> String {
        if case .leakCheck(_, let pseudonyms) = mode { return pseudonyms.restore(text) }
        return text
    }

    private mutating func replace(_ text: String, _ findings: [PIIFinding]) -> String {
        var chosen: [PIIFinding] = []
        for finding in findings {
            switch mode {
            case .redactAll:
                chosen.append(finding)
            case .leakCheck(let allowed, _):
                if !allowed.contains(PIIRedaction.value(text, finding)) { chosen.append(finding) }
            }
        }
        for finding in chosen { replaced[finding.type, default: 0] += 1 }
        return PIIRedaction.redact(text, chosen)
    }
}
