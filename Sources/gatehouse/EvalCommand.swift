import ArgumentParser
import Core
import Foundation
import Gateway
import Logging
import Store

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
    @Option(help: "Evaluate against a running gateway at this base URL (for example http://127.0.0.1:8080) instead of in process.")
    var url: String?
    @Option(help: "Environment variable that holds the evaluator (or admin) API key for --url.") var apiKeyEnv: String = "GATEHOUSE_API_KEY"

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
        let evaluator: Evaluator
        var runtime: GatewayRuntime?
        var remote: RemoteInvoker?
        if let url {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                printError("gatehouse: --url must start with http:// or https://")
                throw ExitCode(2)
            }
            guard let token = ProcessInfo.processInfo.environment[apiKeyEnv], !token.isEmpty else {
                printError("gatehouse: --url needs an evaluator or admin API key in the environment variable \(apiKeyEnv) (see --api-key-env)")
                throw ExitCode(2)
            }
            let invoker = RemoteInvoker(baseURL: url, useCaseID: useCase, token: token)
            remote = invoker
            evaluator = Evaluator { input, variant in await invoker.invoke(input: input, variant: variant) }
        } else {
            var logger = Logger(label: "gatehouse-eval")
            logger.logLevel = .error
            // An evaluation must be able to run a variant version that is not promoted yet.
            let started = try await GatewayRuntime.start(configuration: configuration, logger: logger, enforcePromotion: false)
            runtime = started
            evaluator = Evaluator(runtime: started, useCaseID: useCase)
        }
        defer {
            let (runtime, remote) = (runtime, remote)
            Task {
                try? await runtime?.shutdown()
                try? await remote?.shutdown()
            }
        }
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
            let candidates = [
                "accuracy", "macro_f1", "exact_match", "field_f1", "refusal_correctness", "schema_valid", "latency_p95_ms", "cost_per_item_usd",
                "escalation_rate",
            ]
            let computed = EvaluationMetrics.compute(a, useCase: contract).values
            let metrics = candidates.filter { computed[$0] != nil }
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
        if let remote, remote.retries.load(ordering: .relaxed) > 0 {
            printError("gatehouse: the gateway rate-limited this run; \(remote.retries.load(ordering: .relaxed)) request(s) waited and were sent again (latency figures exclude the waits)")
        }
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
        try await recordEvaluation(
            contract: contract, variantName: variantName, datasetPath: path, outcomes: outcomes, metrics: metrics, verdicts: verdicts, go: go,
            configuration: configuration)

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

    /// Records the run in the store (with its audit event): a variant version becomes stable only
    /// after a passing run on the contract's dataset. A remote run is recorded only when the gateway
    /// answered with the same variant version as the local contract.
    func recordEvaluation(
        contract: UseCase, variantName: String, datasetPath: String, outcomes: [EvaluationOutcome], metrics: EvaluationMetrics,
        verdicts: [GateVerdict], go: Bool, configuration: GatewayConfiguration
    ) async throws {
        guard let version = contract.variant(named: variantName)?.version, let digest = GatewayRuntime.datasetDigest(path: datasetPath) else { return }
        let served = Set(outcomes.compactMap(\.variantVersion))
        if url != nil && served != [version] {
            printError("gatehouse: the gateway served \(variantName) as version(s) \(served.sorted().joined(separator: ", ")), the local contract has \(version); this run is not recorded")
            return
        }
        let store = try GatewayRuntime.openStore(dataDirectory: configuration.server.dataDirectory, environment: ProcessInfo.processInfo.environment)
        let gates: JSONValue = .array(verdicts.map { ["gate": .string($0.gate.description), "value": $0.value.map(JSONValue.number) ?? .null, "passed": .bool($0.passed)] })
        let record = EvaluationRecord(
            useCase: contract.id, variant: variantName, version: version, datasetDigest: digest, items: outcomes.count, passed: go,
            metrics: JSONValue.object(metrics.values.mapValues(JSONValue.number)).compactJSONString(), gates: gates.compactJSONString(), actor: "cli")
        try await store.recordEvaluation(record)
        print("Recorded as evaluation \(record.id) of \(variantName)@\(version)")
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
