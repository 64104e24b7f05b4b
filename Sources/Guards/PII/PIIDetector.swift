/// Finds personal data in text. Pure and synchronous: no I/O, safe to call from any task.
///
/// One pass turns the text into scalars and words; each scanner adds candidate findings; overlaps are
/// resolved in favour of the higher score, then the longer span.
public struct PIIDetector: Sendable {
    public var types: Set<PIIType>

    public init(types: Set<PIIType> = Set(PIIType.allCases)) {
        self.types = types
    }

    public func detect(_ text: String) -> [PIIFinding] {
        let t = ScalarText(text)
        var findings: [PIIFinding] = []
        if types.contains(.email) { StructuredScanners.emails(t, into: &findings) }
        if types.contains(.iban) { StructuredScanners.ibans(t, into: &findings) }
        if types.contains(.ipAddress) { StructuredScanners.ipAddresses(t, into: &findings) }
        if !types.isDisjoint(with: [.phone, .creditCard, .usSSN]) {
            var numbers: [PIIFinding] = []
            StructuredScanners.numbers(t, into: &numbers)
            findings += numbers.filter { types.contains($0.type) }
        }
        if !types.isDisjoint(with: [.dateOfBirth, .person, .streetAddress]) {
            let words = t.words()
            if types.contains(.dateOfBirth) { ContextScanners.birthDates(t, words: words, into: &findings) }
            if types.contains(.streetAddress) { ContextScanners.addresses(t, words: words, into: &findings) }
            if types.contains(.person) { ContextScanners.persons(t, words: words, into: &findings) }
        }
        return Self.resolveOverlaps(findings)
    }

    static func resolveOverlaps(_ findings: [PIIFinding]) -> [PIIFinding] {
        let ranked = findings.sorted { a, b in
            a.score != b.score ? a.score > b.score : (a.end - a.start) > (b.end - b.start)
        }
        var kept: [PIIFinding] = []
        for finding in ranked where !kept.contains(where: { $0.overlaps(finding) }) {
            kept.append(finding)
        }
        return kept.sorted { $0.start < $1.start }
    }
}
