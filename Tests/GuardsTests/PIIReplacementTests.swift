import Guards
import Testing

/// Redaction copies the text between findings as UTF-8 slices; findings count Unicode scalars, so
/// text with combining marks, emoji and flags must come out as a scalar-by-scalar rebuild would.
@Suite struct PIIReplacementTests {
    /// The straightforward form: every scalar, one at a time.
    static func reference(_ text: String, _ findings: [PIIFinding]) -> String {
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var position = 0
        for finding in findings.sorted(by: { $0.start < $1.start }) where finding.start >= position && finding.end <= scalars.count {
            output.append(contentsOf: scalars[position..<finding.start])
            output.append(contentsOf: "[\(finding.type.rawValue)]".unicodeScalars)
            position = finding.end
        }
        output.append(contentsOf: scalars[position...])
        return String(output)
    }

    static let text = "Cafe\u{301} 🇫🇷 👩‍👩‍👧 mail ana@example.org, tel +33 6 12 34 56 78 — fin"

    @Test func detectedFindingsInTextWithMultiScalarCharacters() {
        let findings = PIIDetector().detect(Self.text)
        #expect(!findings.isEmpty)
        let redacted = PIIRedaction.redact(Self.text, findings)
        #expect(redacted == Self.reference(Self.text, findings))
        #expect(!redacted.contains("ana@example.org"))
        #expect(redacted.hasPrefix("Cafe\u{301} 🇫🇷 👩‍👩‍👧 mail "))
    }

    @Test func findingsAtTheEdgesOutOfOrderAndPastTheEnd() {
        let count = Self.text.unicodeScalars.count
        let findings = [
            PIIFinding(start: count - 3, end: count, type: .email, score: 1),
            PIIFinding(start: 0, end: 4, type: .person, score: 1),
            PIIFinding(start: 5, end: 7, type: .phone, score: 1),
            PIIFinding(start: 9, end: count + 5, type: .iban, score: 1),
        ]
        #expect(PIIRedaction.redact(Self.text, findings) == Self.reference(Self.text, findings))
        #expect(PIIRedaction.redact("", []) == "")
        #expect(PIIRedaction.value(Self.text, PIIFinding(start: 6, end: 8, type: .phone, score: 1)) == "🇫🇷")
        #expect(PIIRedaction.value(Self.text, PIIFinding(start: count + 1, end: count + 2, type: .phone, score: 1)) == "")
    }
}
