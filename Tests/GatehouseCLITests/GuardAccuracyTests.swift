import Foundation
import Testing

/// The guards' figures on the committed test splits, through `gatehouse scan --evaluate`, held as
/// floors so a change that makes a guard worse fails here. The targets of the guard issue are
/// 0.95/0.95 for the structured PII types, 0.80/0.80 for names, addresses and birth dates, and
/// TPR 0.90 at FPR 0.03 for injection.
@Suite struct GuardAccuracyTests {
    struct Row { var precision: Double; var recall: Double }

    func figures(_ output: String) -> [String: Row] {
        var rows: [String: Row] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 5, let precision = Double(parts[1]), let recall = Double(parts[2]) else { continue }
            rows[String(parts[0])] = Row(precision: precision, recall: recall)
        }
        return rows
    }

    @Test func piiFiguresOnTheTestSplit() throws {
        let result = try CLI.run(["scan", "--evaluate", CLI.root.appendingPathComponent("datasets/guards/pii/test.jsonl").path, "--guard", "pii"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = figures(result.stdout)
        let floors: [String: (Double, Double)] = [
            "EMAIL": (0.95, 0.95), "CREDIT_CARD": (0.95, 0.95), "IBAN": (0.95, 0.95), "US_SSN": (0.95, 0.95), "IP_ADDRESS": (0.95, 0.95),
            "PHONE": (0.95, 0.95), "PERSON": (0.80, 0.80), "STREET_ADDRESS": (0.80, 0.80), "DATE_OF_BIRTH": (0.80, 0.80),
        ]
        for (type, (precision, recall)) in floors {
            let row = try #require(rows[type], "\(type) missing from:\n\(result.stdout)")
            #expect(row.precision >= precision && row.recall >= recall, "\(type): \(row)")
        }
        #expect(result.stdout.contains("(0 of them with a false finding)"), "\(result.stdout)")
    }

    /// Trained, as `scan` is by default, on every bundled training file (never a test split).
    @Test func injectionFiguresOnTheTestSplit() throws {
        let result = try CLI.run([
            "scan", "--evaluate", CLI.root.appendingPathComponent("datasets/guards/injection/test.jsonl").path, "--guard", "injection",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("TPR") })
        let numbers = line.split(separator: " ").compactMap { Double($0) }
        #expect(numbers.count == 3, "\(line)")  // TPR, FPR, AUC
        #expect(numbers[0] >= 0.90 && numbers[1] <= 0.03, "\(line)")
    }

    /// The independent and blind sets (written by other authors; the detector was never tuned on them:
    /// see their READMEs) measure how the guards generalise. PII meets the targets there;
    /// injection does not (independent: TPR 0.81 at FPR 0.030, blind: 0.86 at 0.028, against 0.90
    /// at 0.03), and these floors only keep it from getting worse.
    @Test func figuresOnTheIndependentSets() throws {
        let pii = try CLI.run(["scan", "--evaluate", CLI.root.appendingPathComponent("datasets/guards/pii-independent/test.jsonl").path, "--guard", "pii"])
        let rows = figures(pii.stdout)
        for type in ["EMAIL", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS", "PHONE"] {
            let row = try #require(rows[type], "\(type) missing from:\n\(pii.stdout)")
            #expect(row.precision >= 0.95 && row.recall >= 0.95, "\(type): \(row)")
        }
        for type in ["PERSON", "STREET_ADDRESS", "DATE_OF_BIRTH"] {
            let row = try #require(rows[type])
            #expect(row.precision >= 0.80 && row.recall >= 0.80, "\(type): \(row)")
        }
        for (set, tpr, fpr) in [("injection-independent", 0.78, 0.04), ("injection-blind", 0.83, 0.04)] {
            let injection = try CLI.run([
                "scan", "--evaluate", CLI.root.appendingPathComponent("datasets/guards/\(set)/test.jsonl").path, "--guard", "injection",
            ])
            let line = try #require(injection.stdout.split(separator: "\n").first { $0.contains("TPR") })
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            #expect(numbers.count == 3 && numbers[0] >= tpr && numbers[1] <= fpr && numbers[2] >= 0.95, "\(set): \(line)")
        }
    }
}
