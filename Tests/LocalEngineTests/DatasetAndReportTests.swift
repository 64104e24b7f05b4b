import Foundation
import Testing

@testable import LocalEngine

@Suite struct DatasetTests {
    static func write(_ content: String) throws -> String {
        let path = ToyData.temporaryPath("train.jsonl")
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func loadsTextFieldsInOrderAndStringLabels() throws {
        let path = try Self.write(
            """
            {"id": "t1", "input": {"subject": "Refund", "body": "Still waiting", "channel": "email"}, "expected": {"category": "billing", "priority": "high", "score": 3}}

            {"id": 7, "input": {"body": "Only a body", "subject": 12}, "expected": {"category": "shipping"}}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = try LabelledDataset.load(jsonlPath: path, textFields: ["subject", "body"])
        #expect(rows == [
            LabelledExample(id: "t1", text: "Refund\nStill waiting", labels: ["category": "billing", "priority": "high"]),
            LabelledExample(id: "7", text: "Only a body", labels: ["category": "shipping"]),
        ])
    }

    @Test func errorsNameTheFileAndLine() throws {
        let valid = #"{"id": "1", "input": {"subject": "a"}, "expected": {"category": "billing"}}"#
        let cases: [(String, (String) -> LocalEngineError)] = [
            (#"{"id": "2", "input": {"subject": "c"}, "expected": "billing"}"#,
             { .invalidRecord(path: $0, line: 3, reason: "expected must be an object") }),
            (#"{"id": "2", "input": {"subject": "c"}"#, { .invalidJSON(path: $0, line: 3) }),
            (#"["not", "an", "object"]"#, { .invalidJSON(path: $0, line: 3) }),
            (#"{"input": {}, "expected": {}}"#, { .invalidRecord(path: $0, line: 3, reason: "missing id") }),
            (#"{"id": "2", "expected": {}}"#, { .invalidRecord(path: $0, line: 3, reason: "missing input") }),
            (#"{"id": "2", "input": "text", "expected": {}}"#, { .invalidRecord(path: $0, line: 3, reason: "input must be an object") }),
            (#"{"id": "2", "input": {}}"#, { .invalidRecord(path: $0, line: 3, reason: "missing expected") }),
            (#"{"id": ["2"], "input": {}, "expected": {}}"#, { .invalidRecord(path: $0, line: 3, reason: "id must be a string") }),
        ]
        for (line, error) in cases {
            let path = try Self.write(valid + "\n\n" + line + "\n" + valid + "\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: error(path)) { try LabelledDataset.load(jsonlPath: path, textFields: ["subject"]) }
        }
        let path = "datasets/train.jsonl"
        #expect(LocalEngineError.invalidRecord(path: path, line: 17, reason: "expected must be an object").description
            == "datasets/train.jsonl:17: expected must be an object")
        #expect(LocalEngineError.invalidJSON(path: path, line: 2).description.hasPrefix("datasets/train.jsonl:2: "))
    }

    @Test func unreadableAndEmptyFiles() throws {
        let missing = ToyData.temporaryPath("missing.jsonl")
        #expect {
            try LabelledDataset.load(jsonlPath: missing, textFields: [])
        } throws: { error in
            guard case .unreadableFile(let path, _) = error as? LocalEngineError else { return false }
            return path == missing
        }
        let empty = try Self.write("\n  \n")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: LocalEngineError.emptyDataset(path: empty)) { try LabelledDataset.load(jsonlPath: empty, textFields: []) }
    }

    @Test func windowsLineEndingsAndByteOrderMark() throws {
        let path = try Self.write("\u{FEFF}" + #"{"id": "1", "input": {"s": "a"}, "expected": {"c": "x"}}"# + "\r\n" + #"{"id": "2", "input": {"s": "b"}, "expected": {"c": "y"}}"# + "\r\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = try LabelledDataset.load(jsonlPath: path, textFields: ["s"])
        #expect(rows.map(\.text) == ["a", "b"])
    }
}

@Suite struct ReportTests {
    @Test func matchesHandComputedFigures() {
        let report = ClassificationReport(
            expected: ["a", "a", "b", "b", "c", "a"], predicted: ["a", "b", "b", "b", "a", "a"], labels: ["a", "b", "c", "d"])
        #expect(report.labels == ["a", "b", "c", "d"])
        #expect(report.accuracy == 4.0 / 6.0)
        // a: TP 2, predicted 3, support 3 -> P 2/3, R 2/3, F1 2/3
        // b: TP 2, predicted 3, support 2 -> P 2/3, R 1,   F1 0.8
        // c: TP 0, predicted 0, support 1 -> P 0,   R 0,   F1 0
        // d: absent from both -> left out of the macro average
        let figures = Dictionary(uniqueKeysWithValues: report.perLabel.map { ($0.label, $0) })
        #expect(abs(figures["a"]!.precision - 2.0 / 3.0) < 1e-12 && abs(figures["a"]!.recall - 2.0 / 3.0) < 1e-12)
        #expect(abs(figures["b"]!.f1 - 0.8) < 1e-12 && figures["b"]!.recall == 1 && figures["b"]!.support == 2)
        #expect(figures["c"]!.f1 == 0 && figures["c"]!.support == 1)
        #expect(abs(report.macroF1 - (2.0 / 3.0 + 0.8 + 0) / 3) < 1e-12)
        #expect(report.confusion == [[2, 1, 0, 0], [0, 2, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    }

    @Test func unknownLabelsAreAppended() {
        let report = ClassificationReport(expected: ["x"], predicted: ["y"], labels: [])
        #expect(report.labels == ["x", "y"])
        #expect(report.accuracy == 0 && report.macroF1 == 0)
        #expect(ClassificationReport(expected: [], predicted: [], labels: ["a"]).accuracy == 0)
    }

    @Test func expectedCalibrationErrorByHand() {
        // Bin [0.9, 1.0): confidence 0.9 twice, one right -> |0.5 - 0.9| = 0.4, weight 1.
        #expect(abs(expectedCalibrationError(confidences: [0.9, 0.9], correct: [true, false]) - 0.4) < 1e-9)
        // Two bins: [0.6, 0.7) holds 0.6 (right) -> gap 0.4, weight 1/2; [0.9, 1.0] holds 1.0 (right) -> gap 0.
        #expect(abs(expectedCalibrationError(confidences: [0.6, 1.0], correct: [true, true]) - 0.2) < 1e-9)
        #expect(expectedCalibrationError(confidences: [0.25, 0.75, 0.75, 0.75, 0.75], correct: [false, true, true, true, false]) - 0.05 < 1e-12)
        #expect(expectedCalibrationError(confidences: [], correct: []) == 0)
    }
}
