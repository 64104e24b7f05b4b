import ArgumentParser
import Core
import Foundation
import Gateway
import Logging

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run a labelled dataset through the production pipeline, check the contract's gates, exit 0 (go) or 1 (no-go).",
        discussion: "Exit 2 on a usage or configuration error. --compare V1 V2 prints each metric's difference (V2 - V1) with a paired bootstrap 95% interval.")

    @Argument(help: "Use case id.") var useCase: String
    @OptionGroup var source: ConfigurationOptions
    @Option(help: "Variant to evaluate (default: the stable variant).") var variant: String?
    @Option(help: "JSON Lines of {\"id\", \"input\", \"expected\"} (default: the contract's evaluation.dataset).") var dataset: String?
    @Option(help: "Items in flight at once.") var concurrency: Int = 8
    @Option(help: "Write the figures and verdicts as JSON.") var json: String?
    @Option(help: "Write the verdicts as JUnit XML (each gate a test case).") var junit: String?
    @Option(help: "Write a Markdown report.") var markdown: String?
    @Option(parsing: .upToNextOption, help: "Two variants to compare: --compare V1 V2.") var compare: [String] = []

    func run() async throws {
        let configuration = try source.loadConfiguration()
        guard let contract = configuration.useCase(id: useCase) else {
            printError("gatehouse: unknown use case '\(useCase)'")
            throw ExitCode(2)
        }
        guard let path = dataset ?? contract.evaluation?.dataset else {
            printError("gatehouse: no dataset; pass --dataset or set evaluation.dataset in the contract")
            throw ExitCode(2)
        }
        if !compare.isEmpty && compare.count != 2 {
            printError("gatehouse: --compare takes two variant names")
            throw ExitCode(2)
        }
        for name in compare + [variant].compactMap({ $0 }) where contract.variant(named: name) == nil {
            printError("gatehouse: use case '\(useCase)' has no variant '\(name)'")
            throw ExitCode(2)
        }
        let items: [Evaluator.Item]
        do { items = try Evaluator.loadItems(path: path) } catch {
            printError("gatehouse: \(error)")
            throw ExitCode(2)
        }
        var logger = Logger(label: "gatehouse-eval")
        logger.logLevel = .error
        let runtime = try await GatewayRuntime.start(configuration: configuration, logger: logger)
        defer { Task { try? await runtime.shutdown() } }
        let evaluator = Evaluator(runtime: runtime)
        let terminal = isatty(STDERR_FILENO) != 0

        func runVariant(_ name: String?) async -> ([EvaluationOutcome], Double) {
            let label = name ?? contract.stableVariant
            let started = ContinuousClock.now
            let outcomes = await evaluator.run(useCase: contract, variant: name, items: items, concurrency: concurrency) { done in
                if terminal {
                    let width = 30
                    let filled = done * width / items.count
                    FileHandle.standardError.write(Data("\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(items.count)".utf8))
                } else if done % max(1, items.count / 10) == 0 || done == items.count {
                    FileHandle.standardError.write(Data("\(label): \(done)/\(items.count)\n".utf8))
                }
            }
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            let seconds = (ContinuousClock.now - started).seconds
            return (outcomes, seconds)
        }

        if compare.count == 2 {
            let (a, _) = await runVariant(compare[0])
            let (b, _) = await runVariant(compare[1])
            let metrics = ["accuracy", "macro_f1", "schema_valid", "latency_p95_ms", "cost_per_item_usd", "escalation_rate"]
            let intervals = BootstrapComparison.compare(a, b, useCase: contract, metrics: metrics)
            print("Comparison on \(items.count) items: \(compare[1]) - \(compare[0]), paired bootstrap 95% interval (1000 resamples)")
            print(pad("metric", 22) + pad("difference", 14) + "interval")
            for interval in intervals {
                let real = interval.low > 0 || interval.high < 0
                print(pad(interval.metric, 22) + pad(String(format: "%+.4f", interval.difference), 14)
                    + String(format: "[%+.4f, %+.4f]", interval.low, interval.high) + (real ? "  (real difference)" : "  (within noise)"))
            }
            return
        }

        let (outcomes, seconds) = await runVariant(variant)
        let metrics = EvaluationMetrics.compute(outcomes, useCase: contract)
        let verdicts = (contract.evaluation?.gates ?? []).map { $0.check(metrics) }
        let go = verdicts.allSatisfy(\.passed)
        let variantName = variant ?? contract.stableVariant
        let throughput = Double(items.count) / max(seconds, 1e-9)

        print("Evaluation of \(useCase) / \(variantName) on \(items.count) items from \((path as NSString).lastPathComponent): \(String(format: "%.0f", throughput)) items/s")
        for key in metrics.values.keys.sorted() {
            print("  " + pad(key, 28) + String(format: "%.4f", metrics.values[key]!))
        }
        print("  decisions: " + metrics.decisions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if let field = metrics.primaryField, let report = metrics.reports[field] {
            print("  \(field):")
            for figures in report.perLabel {
                print("    " + pad(figures.label, 14) + String(format: "P %.3f  R %.3f  F1 %.3f  n %d", figures.precision, figures.recall, figures.f1, figures.support))
            }
        }
        print("Gates:")
        for verdict in verdicts {
            let value = verdict.value.map { String(format: "%.4f", $0) } ?? "missing"
            print("  " + pad(verdict.gate.description, 30) + pad(value, 12) + (verdict.passed ? "PASS" : "FAIL"))
        }
        print("Verdict: " + (go ? "GO" : "NO-GO"))

        if let json {
            let body: JSONValue = [
                "use_case": .string(useCase), "variant": .string(variantName), "items": .number(Double(items.count)),
                "items_per_second": .number(throughput), "metrics": .object(metrics.values.mapValues(JSONValue.number)),
                "decisions": .object(metrics.decisions.mapValues { .number(Double($0)) }),
                "gates": .array(verdicts.map { ["gate": .string($0.gate.description), "value": $0.value.map(JSONValue.number) ?? .null, "passed": .bool($0.passed)] }),
                "verdict": .string(go ? "go" : "no-go"),
            ]
            try Data(body.compactJSONString().utf8).write(to: URL(fileURLWithPath: json))
        }
        if let junit {
            try Data(Self.junitXML(useCase: useCase, variant: variantName, verdicts: verdicts, seconds: seconds).utf8).write(to: URL(fileURLWithPath: junit))
        }
        if let markdown {
            var text = "# Evaluation: \(useCase) / \(variantName)\n\n\(items.count) items, verdict **\(go ? "GO" : "NO-GO")**\n\n| gate | value | result |\n|---|---|---|\n"
            for verdict in verdicts {
                text += "| `\(verdict.gate.description)` | \(verdict.value.map { String(format: "%.4f", $0) } ?? "missing") | \(verdict.passed ? "pass" : "FAIL") |\n"
            }
            text += "\n| metric | value |\n|---|---|\n" + metrics.values.keys.sorted().map { "| \($0) | \(String(format: "%.4f", metrics.values[$0]!)) |" }.joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: markdown))
        }
        if !go { throw ExitCode(1) }
    }

    static func junitXML(useCase: String, variant: String, verdicts: [GateVerdict], seconds: Double) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        let failures = verdicts.filter { !$0.passed }.count
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"gatehouse-eval\" tests=\"\(verdicts.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(String(format: "%.3f", seconds))\">\n"
        xml += "  <testsuite name=\"\(escape(useCase)).\(escape(variant))\" tests=\"\(verdicts.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"\(String(format: "%.3f", seconds))\">\n"
        for verdict in verdicts {
            let value = verdict.value.map { String(format: "%.4f", $0) } ?? "missing"
            xml += "    <testcase classname=\"\(escape(useCase)).\(escape(variant))\" name=\"\(escape(verdict.gate.description))\" time=\"0\""
            if verdict.passed {
                xml += "/>\n"
            } else {
                xml += ">\n      <failure message=\"\(escape(verdict.gate.metric)) = \(value)\" type=\"gate\">\(escape(verdict.gate.description)) failed with \(value)</failure>\n    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
}
