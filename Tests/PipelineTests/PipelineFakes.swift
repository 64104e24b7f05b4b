import Core
import Foundation
import Synchronization

@testable import Pipeline

/// A router that answers from a script, per variant model, and counts calls.
final class ScriptedRouter: ModelRouter {
    enum Step: Sendable {
        case answer(ModelResponse)
        case fail(ProviderError, deadlineExceeded: Bool = false)
    }

    private let steps: Mutex<[String: [Step]]>
    let calls = Mutex<[ModelRequest]>([])

    init(_ steps: [String: [Step]]) {
        self.steps = Mutex(steps)
    }

    func complete(_ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant) async throws(RoutingFailure) -> RoutedResponse {
        calls.withLock { $0.append(request) }
        let target = targets[0]
        let step = steps.withLock { steps -> Step? in
            guard var queue = steps[target.model], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            steps[target.model] = queue
            return first
        }
        let attempt = AttemptRecord(provider: target.provider, model: target.model, milliseconds: 1, error: nil)
        switch step {
        case .answer(let response)?:
            return RoutedResponse(response: response, target: target, attempts: [attempt])
        case .fail(let error, let deadline)?:
            var failed = attempt
            failed.error = error.description
            throw RoutingFailure(lastError: error, attempts: [failed], deadlineExceeded: deadline)
        case nil:
            throw RoutingFailure(lastError: .notConfigured("no script"), attempts: [], deadlineExceeded: false)
        }
    }

    func stream(_ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant) async throws(RoutingFailure) -> RoutedStream {
        throw RoutingFailure(lastError: .notConfigured("no streams"), attempts: [], deadlineExceeded: false)
    }
}

final class MemoryLedger: LedgerStore {
    let rows = Mutex<[LedgerEntry]>([])
    func record(_ entry: LedgerEntry) async throws { rows.withLock { $0.append(entry) } }
    func entry(id: String) async throws -> LedgerEntry? { rows.withLock { $0.first { $0.id == id } } }
    func recentEntries(limit: Int) async throws -> [LedgerEntry] { rows.withLock { Array($0.reversed().prefix(limit)) } }
    func checkWritable() async throws {}
}

struct FixedKeys: CallerAuthenticator {
    func authenticate(bearerToken: String) -> Principal? {
        switch bearerToken {
        case "good": return Principal(keyID: "app", useCases: nil, providers: nil, clearance: .confidential)
        case "narrow": return Principal(keyID: "narrow", useCases: ["other"], providers: nil)
        default: return nil
        }
    }
}

struct PlainDigester: PayloadDigester {
    func digest(_ text: String) -> String { "digest(\(text.count))" }
}

enum Fixtures {
    static func useCase(
        escalation: EscalationPolicy = .init(), payloadLogging: DataPolicy.PayloadLogging = .hashed, fallback: String? = "local"
    ) throws -> UseCase {
        let input = try JSONSchema([
            "type": "object", "required": ["subject", "body"], "additionalProperties": false,
            "properties": ["subject": ["type": "string"], "body": ["type": "string", "minLength": 1]],
        ])
        let output = try JSONSchema([
            "type": "object", "required": ["category", "team"],
            "properties": [
                "category": ["type": "string", "enum": ["billing", "shipping"]],
                "team": ["type": "string", "enum": ["finance", "logistics"]],
            ],
        ])
        let llm = Variant(
            name: "llm", version: "v-llm", provider: "remote",
            engine: .model(ModelVariant(
                model: "gpt-x", systemPrompt: PromptTemplate(source: "Triage."), prompt: PromptTemplate(source: "{{subject}}\n{{body}}"),
                parameters: ModelParameters(temperature: 0), failover: [])))
        let local = Variant(
            name: "local", version: "v-local", provider: "local",
            engine: .local(LocalVariant(model: "classifier", trainingData: "/dev/null", textFields: ["subject", "body"], epochs: 1)))
        return UseCase(
            id: "triage", title: "Triage", purpose: "test", owners: Owners(business: "b", technical: "t", onCallWebhook: nil),
            riskTier: .limited,
            task: TaskSpecification(
                kind: .classify, inputSchema: input, outputSchema: output, labels: [:],
                derived: [DerivedField(field: "team", from: "category", map: ["billing": "finance", "shipping": "logistics"])]),
            usage: UsagePolicy(), dataPolicy: DataPolicy(inputClassification: .internal, piiAction: .allow, payloadLogging: payloadLogging, retentionDays: 30),
            variants: [llm, local], stableVariant: "llm", fallbackVariant: fallback, escalation: escalation,
            slos: ServiceLevelObjectives(), budget: nil, limits: UsageLimits(deadlineMilliseconds: 5000), kpis: [], evaluation: nil,
            directory: "/tmp")
    }

    static func environment(_ useCase: UseCase, router: ScriptedRouter, ledger: MemoryLedger = MemoryLedger()) -> PipelineEnvironment {
        let configuration = GatewayConfiguration(
            server: ServerSettings(),
            providers: [
                ProviderConfiguration(name: "remote", kind: .openAICompatible, baseURL: "http://127.0.0.1:9", prices: Prices(inputPerMillion: 1, outputPerMillion: 2)),
                ProviderConfiguration(name: "local", kind: .local),
            ],
            apiKeys: [], useCases: [useCase], baseDirectory: "/tmp")
        return PipelineEnvironment(configuration: configuration, authenticator: FixedKeys(), router: router, ledger: ledger, digester: PlainDigester())
    }

    static func body(_ json: String) -> InvocationPayload { .invokeBody(Array(json.utf8)) }

    static let validBody = #"{"input": {"subject": "Refund", "body": "Please refund my order"}}"#

    static func text(_ content: String, usage: TokenUsage = TokenUsage(inputTokens: 100, outputTokens: 10)) -> ScriptedRouter.Step {
        .answer(ModelResponse(content: content, usage: usage, model: "gpt-x"))
    }

    static func local(_ category: String, confidence: Double) -> ScriptedRouter.Step {
        .answer(ModelResponse(content: nil, usage: TokenUsage(inputTokens: 5, outputTokens: 0, estimated: true), model: "triage/local", structuredOutput: ["category": .string(category)], confidence: confidence))
    }
}
