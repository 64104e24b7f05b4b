// Micro-benchmarks of the request hot paths, in a release build: JSON decode and encode of a request
// and a response, the whole use-case pipeline with the upstream call replaced by an instant answer
// (authentication, input schema, all guards with the injection classifier, admission, output schema,
// decision, ledger entry), and ledger writes to a real SQLite file (with their audit summaries).
// Usage: Benchmarks/hotpaths.sh   (prints p50 and p99 per path, microseconds)
import Contract
import Core
import Foundation
import Guards
import Pipeline
import Store
import Synchronization

let iterations = Int(ProcessInfo.processInfo.environment["HOTPATH_ITERATIONS"] ?? "") ?? 5000

/// Synchronous paths are timed without an `await` per iteration: from top-level code each await of
/// a nonisolated closure hops off the main actor and back, which cost more than a JSON decode.
func measureSync(_ name: String, iterations: Int = iterations, _ body: () throws -> Void) rethrows {
    for _ in 0..<min(500, iterations) { try body() }
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        let start = clock.now
        try body()
        samples.append((clock.now - start).milliseconds * 1000)
    }
    printRow(name, samples)
}

/// Asynchronous paths run their whole loop off the main actor, in a detached task, with a `@Sendable`
/// body (nonisolated): a body formed in top-level code would otherwise be main-actor isolated, and
/// every iteration would hop to the main thread and back, about a third of the pipeline's figure.
func measure(_ name: String, iterations: Int = iterations, _ body: @escaping @Sendable () async -> Int) async {
    let samples = await Task.detached { () async -> [Double] in
        var sink = 0
        for _ in 0..<min(500, iterations) { sink &+= await body() }
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        let clock = ContinuousClock()
        for _ in 0..<iterations {
            let start = clock.now
            sink &+= await body()
            samples.append((clock.now - start).milliseconds * 1000)
        }
        if sink == 42 { print("") }
        return samples
    }.value
    printRow(name, samples)
}

/// One line of the table: the path, then p50 and p99 in microseconds.
func printRow(_ name: String, _ samples: [Double]) {
    let sorted = samples.sorted()
    let p50 = sorted[sorted.count / 2], p99 = sorted[Int(Double(sorted.count) * 0.99)]
    print(name.padding(toLength: 46, withPad: " ", startingAt: 0) + String(format: "%9.1f %9.1f", p50, p99))
}

// MARK: JSON

let requestBody = Array(#"""
    {"model": "mock/bench-model", "messages": [{"role": "system", "content": "You triage support tickets for an online shop."}, {"role": "user", "content": "Hello, my order NL-48213 arrived damaged. The box was crushed and the kettle inside is dented. I would like a replacement or a refund. Thanks, Ingrid"}], "temperature": 0, "max_tokens": 200, "response_format": {"type": "json_object"}}
    """#.utf8)
let responseBody = Array(#"""
    {"id": "chatcmpl-bench", "object": "chat.completion", "created": 1764000000, "model": "bench-model", "choices": [{"index": 0, "message": {"role": "assistant", "content": "{\"category\": \"returns\", \"priority\": \"normal\"}"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 96, "completion_tokens": 18, "total_tokens": 114}}
    """#.utf8)
let parsedResponse = try JSONValue.parse(responseBody)

// MARK: Pipeline with an instant upstream

struct InstantRouter: ModelRouter {
    let answer = ModelResponse(content: #"{"category": "returns", "priority": "normal"}"#, usage: TokenUsage(inputTokens: 96, outputTokens: 18), model: "bench-model")
    func complete(_ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant) async throws(RoutingFailure) -> RoutedResponse {
        RoutedResponse(response: answer, target: targets[0], attempts: [AttemptRecord(provider: targets[0].provider, model: targets[0].model, milliseconds: 0, error: nil)])
    }
    func stream(_ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant) async throws(RoutingFailure) -> RoutedStream {
        throw RoutingFailure(lastError: .notConfigured("no streams"), attempts: [], deadlineExceeded: false)
    }
}

struct OneKey: CallerAuthenticator {
    func authenticate(bearerToken: String) async throws(GatewayError) -> Principal? {
        bearerToken == "bench-key" ? Principal(keyID: "bench", useCases: ["bench"], providers: nil, clearance: .internal) : nil
    }
}

final class DiscardingLedger: LedgerStore {
    let count = Atomic<Int>(0)
    func record(_ entry: LedgerEntry) async throws { count.add(1, ordering: .relaxed) }
    func entry(id: String) async throws -> LedgerEntry? { nil }
    func recentEntries(limit: Int) async throws -> [LedgerEntry] { [] }
    func checkWritable() async throws {}
}

struct SHADigester: PayloadDigester {
    func digest(_ text: String) -> String { "sha:\(text.utf8.count)" }
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-hotpaths-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder.appendingPathComponent("usecases/bench"), withIntermediateDirectories: true)
try """
    server: {listen: "127.0.0.1:0", data_dir: data}
    providers:
      - {name: mock, kind: openai-compatible, base_url: "http://127.0.0.1:9/v1", data_classes: [public, internal]}
    """.write(to: folder.appendingPathComponent("gatehouse.yaml"), atomically: true, encoding: .utf8)
try """
    id: bench
    title: Bench
    purpose: Triage.
    owners: {business: a@example.com, technical: b@example.com}
    risk_tier: limited
    task:
      kind: classify
      input_schema: {type: object, required: [subject, body], properties: {subject: {type: string, maxLength: 500}, body: {type: string, maxLength: 20000}}}
      output_schema:
        type: object
        required: [category, priority]
        properties:
          category: {type: string, enum: [billing, shipping, returns, technical, account, sales]}
          priority: {type: string, enum: [low, normal, high, urgent]}
      labels: {category: [billing, shipping, returns, technical, account, sales], priority: [low, normal, high, urgent]}
    usage:
      forbidden_topics: [{name: legal advice, keywords: [lawyer, sue]}]
    guards: {injection: {threshold: 0.5, action: block, scan_context: true}, pii_leak_check: true}
    data_policy: {input_classification: internal, pii_action: redact, payload_logging: hashed}
    variants:
      - {name: llm, provider: mock, model: bench-model, prompt: prompt.txt, params: {temperature: 0, response_format: json_object}}
    stable_variant: llm
    escalation: {min_confidence: 0.1, always_review: [{field: priority, equals: urgent}]}
    limits: {rpm: 100000000, tpm: 10000000000, concurrency: 100000}
    budget: {daily_usd: 1000000}
    """.write(to: folder.appendingPathComponent("usecases/bench/usecase.yaml"), atomically: true, encoding: .utf8)
try "Classify: {{subject}}\n{{body}}".write(to: folder.appendingPathComponent("usecases/bench/prompt.txt"), atomically: true, encoding: .utf8)
let configuration = try ConfigurationLoader.load(path: folder.path, environment: [:])

var classifier: InjectionDetector
// Every argument is a training file; together they train the classifier, as the gateway's list does.
if CommandLine.arguments.count > 1 {
    var texts: [String] = [], labels: [Bool] = []
    let data = CommandLine.arguments.dropFirst().compactMap { FileManager.default.contents(atPath: $0) }.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    for line in data.split(separator: "\n") {
        guard let item = try? JSONValue.parse(String(line)), let text = item["text"]?.stringValue, let label = item["label"]?.numberValue else { continue }
        texts.append(text)
        labels.append(label == 1)
    }
    classifier = InjectionDetector(classifier: try InjectionDetector.trainClassifier(texts: texts, labels: labels))
} else {
    classifier = InjectionDetector()
}
let environment = PipelineEnvironment(
    configuration: configuration, authenticator: OneKey(), router: InstantRouter(), ledger: DiscardingLedger(), digester: SHADigester(),
    guards: GuardSet(pii: PIIDetector(), injection: classifier))
let pipeline = InvocationPipeline()
let invokeBody = Array(#"{"input": {"subject": "Damaged kettle, order NL-48213", "body": "Hello, my order NL-48213 arrived damaged. The box was crushed and the kettle inside is dented. I would like a replacement or a refund to my card. You can reach me at ingrid.halvorsen@example.no. Thanks, Ingrid Halvorsen"}}"#.utf8)

// MARK: Ledger

let storeFolder = folder.appendingPathComponent("store")
let store = try SQLiteStore(path: storeFolder.appendingPathComponent("gatehouse.sqlite").path, auditSealer: AuditSealer(key: Array(repeating: 7, count: 32)))
func entry() -> LedgerEntry {
    LedgerEntry(
        id: InvocationContext.newID(), createdAt: Date(), keyID: "bench", route: .invoke, useCase: "bench", variant: "llm", variantVersion: "abc123",
        provider: "mock", model: "bench-model", decision: .answered, httpStatus: 200, errorCode: nil, latencyMilliseconds: 1.2,
        stageTimings: ["authenticate": 0.01, "call_model": 0.3], attempts: [AttemptRecord(provider: "mock", model: "bench-model", milliseconds: 0.3, error: nil)],
        inputTokens: 96, outputTokens: 18, tokensEstimated: false, costUSD: 0.00012, confidence: 0.9, escalationReasons: [], streamed: false,
        streamOutcome: nil, payloadMode: "hashed", inputPayload: "sha:100", outputPayload: "sha:40", traceID: TraceContext.newTraceID())
}

print("Hot paths, release build, \(iterations) iterations each, microseconds")
print("path".padding(toLength: 46, withPad: " ", startingAt: 0) + "      p50       p99")
var sink = 0
measureSync("decode chat request (\(requestBody.count) B)") { sink &+= (try? JSONValue.parse(requestBody))?.objectValue?.count ?? 0 }
measureSync("decode chat.completion response (\(responseBody.count) B)") { sink &+= (try? JSONValue.parse(responseBody))?.objectValue?.count ?? 0 }
measureSync("encode chat.completion response") { sink &+= parsedResponse.compactJSONBytes().count }
await measure("pipeline, instant upstream, all guards") { [pipeline, environment, invokeBody] in
    let context = InvocationContext(route: .invoke, bearerToken: "bench-key", useCaseID: "bench", payload: .invokeBody(invokeBody))
    let finished = await pipeline.run(context, environment: environment)
    precondition(finished.decision == .answered, "\(String(describing: finished.error))")
    return finished.stageTimings.count
}
await measure("ledger write, 1 row + audit summary (SQLite)", iterations: max(200, iterations / 10)) { [store] in
    try! await store.record(batch: [entry()])
    return 1
}
let batch = (0..<64).map { _ in entry() }
await measure("ledger write, batch of 64 rows (per batch)", iterations: max(50, iterations / 50)) { [store, batch] in
    try! await store.record(batch: batch.map { var row = $0; row.id = InvocationContext.newID(); return row })
    return 64
}
try? FileManager.default.removeItem(at: folder)
if sink == 42 { print("") }
