import ArgumentParser
import Contract
import Core
import Foundation
import Gateway
import Guards

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan JSON Lines for personal data and prompt injections, or measure the guards against a labelled file.",
        discussion: """
            Input: one {"id", "text"} object per line, from FILE or standard input. Output: one line per input,
            {"id", "pii": [{"start", "end", "type", "score"}], "injection": {"score", "flagged", "signals"}}.
            Offsets count Unicode scalars (code points), end exclusive: the same unit as Python string indices.

            --evaluate reads labelled lines instead: {"id", "text", "spans": [{"start", "end", "type"}]} for PII and
            {"id", "text", "label": 0|1} for injection, and prints per-type precision, recall and F2 (a found span counts
            when an expected span of the same type overlaps it), and the injection TPR and FPR at the threshold and ROC AUC.
            """)

    @Argument(help: "JSON Lines file (default: standard input).")
    var file: String?

    @Option(name: .customLong("guard"), help: "pii | injection | all") var guardKind: String = "all"
    @Option(help: "Injection score at or above which a text is flagged.") var threshold: Double = 0.5
    @Option(help: "Labelled JSON Lines that train the injection classifier (label 0|1); repeat for several files. Default: the files the demo configuration (examples/gatehouse.yaml) trains on.")
    var injectionTraining: [String] = []
    @Flag(help: "Injection rules only, without the trained classifier.") var noClassifier = false
    @Flag(help: "Treat the input as labelled and print accuracy figures instead of findings.") var evaluate = false

    func run() throws {
        let guards = guardKind.lowercased()
        guard ["pii", "injection", "all"].contains(guards) else {
            printError("gatehouse: --guard must be pii, injection or all")
            throw ExitCode(2)
        }
        let lines = try readLines()
        let pii = PIIDetector()
        let injection = guards == "pii" ? InjectionDetector() : try makeInjectionDetector()
        if evaluate {
            try printEvaluation(lines, pii: guards != "injection" ? pii : nil, injection: guards != "pii" ? injection : nil)
            return
        }
        var output = ""
        for (number, line) in lines.enumerated() {
            guard let item = try? JSONValue.parse(line), let text = item["text"]?.stringValue else {
                printError("gatehouse: line \(number + 1): expected {\"id\", \"text\"}")
                throw ExitCode(2)
            }
            var result: [String: JSONValue] = ["id": item["id"] ?? .null]
            if guards != "injection" {
                result["pii"] = .array(pii.detect(text).map { finding in
                    ["start": .number(Double(finding.start)), "end": .number(Double(finding.end)), "type": .string(finding.type.rawValue), "score": .number(finding.score)]
                })
            }
            if guards != "pii" {
                let assessment = injection.assess(text)
                result["injection"] = [
                    "score": .number((assessment.score * 10000).rounded() / 10000), "flagged": .bool(assessment.score >= threshold),
                    "signals": .array(assessment.signals.map(JSONValue.string)),
                    "classifier": assessment.classifierProbability.map { .number(($0 * 10000).rounded() / 10000) } ?? .null,
                ]
            }
            output += JSONValue.object(result).compactJSONString() + "\n"
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    func readLines() throws -> [String] {
        let data: Data
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else {
                printError("gatehouse: cannot read \(file)")
                throw ExitCode(2)
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    func makeInjectionDetector() throws -> InjectionDetector {
        if noClassifier { return InjectionDetector() }
        var paths = injectionTraining
        if paths.isEmpty, let examples = try? DemoLocator.examplesDirectory() {
            // The demo configuration's list is the one list of bundled training files.
            paths = (try? ConfigurationLoader.load(path: examples, environment: [:]))?.guards.injectionTrainingData ?? []
        }
        guard !paths.isEmpty else { return InjectionDetector() }
        do {
            return InjectionDetector(classifier: try InjectionTraining.classifier(fromJSONLines: paths))
        } catch {
            printError("gatehouse: \(error)")
            throw ExitCode(2)
        }
    }

    func printEvaluation(_ lines: [String], pii: PIIDetector?, injection: InjectionDetector?) throws {
        var piiEvaluation = PIIEvaluation()
        var injectionEvaluation = InjectionEvaluation()
        var piiItems = 0
        var injectionItems = 0
        var piiSeconds = 0.0
        var injectionSeconds = 0.0
        let clock = ContinuousClock()
        for (number, line) in lines.enumerated() {
            guard let item = try? JSONValue.parse(line), let text = item["text"]?.stringValue else {
                printError("gatehouse: line \(number + 1): expected a labelled object with \"text\"")
                throw ExitCode(2)
            }
            if let pii, let spans = item["spans"]?.arrayValue {
                let expected = spans.compactMap { span -> PIIFinding? in
                    guard let start = span["start"]?.numberValue, let end = span["end"]?.numberValue,
                        let type = span["type"]?.stringValue.flatMap(PIIType.init(rawValue:))
                    else { return nil }
                    return PIIFinding(start: Int(start), end: Int(end), type: type, score: 1)
                }
                let started = clock.now
                let found = pii.detect(text)
                piiSeconds += (clock.now - started).seconds
                piiEvaluation.add(expected: expected, found: found)
                piiItems += 1
            }
            if let injection, let label = item["label"] {
                let isInjection = label.numberValue.map { $0 >= 1 } ?? label.boolValue ?? (label.stringValue == "injection")
                let started = clock.now
                let score = injection.assess(text).score
                injectionSeconds += (clock.now - started).seconds
                injectionEvaluation.add(score: score, isInjection: isInjection)
                injectionItems += 1
            }
        }
        if piiItems > 0 {
            print("PII: \(piiItems) texts, \(piiEvaluation.hardNegatives) without PII (\(piiEvaluation.hardNegativeHits) of them with a false finding); \(String(format: "%.1f", piiSeconds / Double(piiItems) * 1e6)) µs per text")
            print("  type             precision  recall     F2  support")
            for type in PIIType.allCases {
                guard let counts = piiEvaluation.byType[type] else { continue }
                let support = counts.truePositives + counts.falseNegatives
                print("  " + pad(type.rawValue, 16) + pad(String(format: "%.3f", counts.precision), 11) + pad(String(format: "%.3f", counts.recall), 8)
                    + pad(String(format: "%.3f", counts.f2), 7) + "\(support)")
            }
            let total = piiEvaluation.total
            print("  " + pad("all", 16) + pad(String(format: "%.3f", total.precision), 11) + pad(String(format: "%.3f", total.recall), 8) + pad(String(format: "%.3f", total.f2), 7)
                + "\(total.truePositives + total.falseNegatives)")
        }
        if injectionItems > 0 {
            print("Injection: \(injectionItems) texts (\(injectionEvaluation.positives) injections, \(injectionEvaluation.negatives) benign); \(String(format: "%.1f", injectionSeconds / Double(injectionItems) * 1e6)) µs per text")
            print(String(format: "  threshold %.2f: TPR %.3f  FPR %.3f  ROC AUC %.3f", threshold, injectionEvaluation.truePositiveRate(threshold: threshold),
                injectionEvaluation.falsePositiveRate(threshold: threshold), injectionEvaluation.rocAUC))
        }
        if piiItems == 0 && injectionItems == 0 {
            printError("gatehouse: no labelled lines (expected \"spans\" for PII or \"label\" for injection)")
            throw ExitCode(2)
        }
    }

    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
