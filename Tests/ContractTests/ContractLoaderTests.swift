import Contract
import Core
import Foundation
import Testing

@Suite struct ContractLoaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples").path

    /// Writes a configuration folder with one use case; `mutate` edits the use case text.
    func folder(gatehouse: String? = nil, useCase mutate: (String) -> String = { $0 }, files: [String: String] = [:]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/usecases/demo/prompts", withIntermediateDirectories: true)
        try (gatehouse ?? """
            providers:
              - name: local
                kind: local
              - name: openai
                kind: openai-compatible
                base_url: https://api.openai.com/v1
                credential: env:OPENAI_API_KEY
                data_classes: [public, internal]
            """).write(toFile: directory + "/gatehouse.yaml", atomically: true, encoding: .utf8)
        let useCase = """
            id: demo
            title: Demo
            purpose: Test.
            owners: {business: a@example.com, technical: b@example.com}
            risk_tier: minimal
            task:
              kind: generate
              input_schema:
                type: object
                properties:
                  question: {type: string}
              output_schema:
                type: object
                properties:
                  answer: {type: string}
            data_policy:
              input_classification: internal
            variants:
              - name: gpt
                provider: openai
                model: gpt-4o-mini
                prompt: prompts/user.txt
            """
        try mutate(useCase).write(toFile: directory + "/usecases/demo/usecase.yaml", atomically: true, encoding: .utf8)
        try "Q: {{question}}".write(toFile: directory + "/usecases/demo/prompts/user.txt", atomically: true, encoding: .utf8)
        for (path, content) in files {
            try content.write(toFile: directory + "/" + path, atomically: true, encoding: .utf8)
        }
        return directory
    }

    func diagnostics(_ path: String) -> [ConfigDiagnostic] {
        do {
            _ = try ConfigurationLoader.load(path: path, environment: [:])
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func bundledDemoLoads() throws {
        let configuration = try ConfigurationLoader.load(path: Self.examples, environment: [:])
        let useCase = try #require(configuration.useCase(id: "ticket-triage"))
        #expect(useCase.stableVariant == "local-classifier")
        #expect(useCase.variants.map(\.name) == ["local-classifier", "local-baseline", "gpt-4o-mini"])
        #expect(useCase.task.derived.first?.map["billing"] == "finance")
        #expect(useCase.escalation.alwaysReview.first?.field == "priority")
        #expect(useCase.evaluation?.gates.contains { $0.metric == "accuracy" && $0.threshold == 0.85 } == true)
        #expect(configuration.server.port == 8080)
        #expect(configuration.apiKeys.first?.secret == .environment("GATEHOUSE_DEMO_KEY"))
        #expect(configuration.provider(named: "openai")?.retry.maxAttempts == 3)
    }

    @Test func reportsThreePlantedErrorsInTwoFilesWithLinesAndPaths() {
        let found = diagnostics(Self.fixtures + "/planted-errors")
        let lines = found.map(\.description)
        #expect(found.count == 3, "\(lines)")
        #expect(lines.contains("gatehouse.yaml:2: server.listn: unknown field 'listn' (did you mean 'listen'?)"))
        #expect(lines.contains("usecases/triage/usecase.yaml:30: variants[1].provider: unknown provider 'opnai' (did you mean 'openai'?)"))
        #expect(lines.contains {
            $0.hasPrefix("usecases/triage/usecase.yaml:28: variants[0].prompt: prompt template prompts/user.txt uses {{subjct}}")
                && $0.hasSuffix("(did you mean 'subject'?)")
        })
    }

    @Test func unknownFieldsAndBadEnumsAreErrorsWithSuggestions() throws {
        let path = try folder(useCase: { $0.replacingOccurrences(of: "risk_tier: minimal", with: "risk_tier: hihg\nownr: x") })
        let found = diagnostics(path).map(\.description)
        #expect(found.contains { $0.contains("risk_tier: 'hihg' is not one of minimal, limited, high (did you mean 'high'?)") })
        #expect(found.contains { $0.contains("ownr: unknown field 'ownr' (did you mean 'owners'?)") })
    }

    @Test func inlineCredentialsAreRejectedWithoutEchoingThem() throws {
        let path = try folder(gatehouse: """
            providers:
              - name: openai
                kind: openai-compatible
                base_url: https://api.openai.com/v1
                credential: sk-live-THIS-IS-A-SECRET
                data_classes: [public, internal]
            """)
        let found = diagnostics(path).map(\.description)
        #expect(found.contains { $0.contains("providers[0].credential: credentials must be a reference") })
        #expect(!found.joined().contains("THIS-IS-A-SECRET"))
    }

    @Test func yamlSyntaxErrorHasItsLine() throws {
        let path = try folder(gatehouse: "providers:\n  - name: local\n    kind: [local\n")
        let found = diagnostics(path)
        #expect(found.count == 1)
        #expect(found.first?.file == "gatehouse.yaml")
        #expect((found.first?.line ?? 0) >= 3)
        #expect(found.first?.message.hasPrefix("YAML syntax error") == true)
    }

    @Test func invalidSchemaAndDuplicateVariant() throws {
        let path = try folder(useCase: {
            $0.replacingOccurrences(of: "question: {type: string}", with: "question: {type: strng}")
                + "\n  - name: gpt\n    provider: openai\n    model: other\n    prompt: prompts/user.txt\n"
        })
        let found = diagnostics(path).map(\.description)
        #expect(found.contains { $0.contains("task.input_schema: invalid JSON Schema at $.properties.question.type") })
    }

    @Test func duplicateVariantNamesAreErrors() throws {
        let path = try folder(useCase: { $0 + "\n  - name: gpt\n    provider: openai\n    model: other\n    prompt: prompts/user.txt\n" })
        #expect(diagnostics(path).map(\.description).contains { $0.contains("duplicate variant name 'gpt'") })
    }

    @Test func injectionTrainingDataIsOneFileOrAListAndEachMustExist() throws {
        let providers = "providers:\n  - name: local\n    kind: local\n  - name: openai\n    kind: openai-compatible\n    base_url: https://api.openai.com/v1\n    credential: env:OPENAI_API_KEY\n    data_classes: [public, internal]\n"
        let one = try folder(gatehouse: providers + "guards:\n  injection_training_data: a.jsonl\n", files: ["a.jsonl": "", "b.jsonl": ""])
        #expect(try ConfigurationLoader.load(path: one, environment: [:]).guards.injectionTrainingData == [one + "/a.jsonl"])
        let list = try folder(gatehouse: providers + "guards:\n  injection_training_data:\n    - a.jsonl\n    - b.jsonl\n", files: ["a.jsonl": "", "b.jsonl": ""])
        #expect(try ConfigurationLoader.load(path: list, environment: [:]).guards.injectionTrainingData == [list + "/a.jsonl", list + "/b.jsonl"])
        let missing = try folder(gatehouse: providers + "guards:\n  injection_training_data:\n    - a.jsonl\n    - gone.jsonl\n", files: ["a.jsonl": ""])
        let found = diagnostics(missing).map(\.description)
        #expect(found.contains { $0.contains("guards.injection_training_data[1]: file not found") && $0.contains("gone.jsonl") }, "\(found)")
    }

    @Test func providerThatMayNotReceiveTheDataClassIsRejected() throws {
        let path = try folder(useCase: { $0.replacingOccurrences(of: "input_classification: internal", with: "input_classification: confidential") })
        let found = diagnostics(path).map(\.description)
        #expect(found.contains { $0.contains("variants[0].provider: provider 'openai' may not receive confidential data") })
    }

    @Test func missingFilesAndRequiredFields() throws {
        let path = try folder(useCase: {
            $0.replacingOccurrences(of: "prompt: prompts/user.txt", with: "prompt: prompts/missing.txt")
                .replacingOccurrences(of: "title: Demo\n", with: "")
        })
        let found = diagnostics(path).map(\.description)
        #expect(found.contains { $0.contains("variants[0].prompt: file 'prompts/missing.txt' does not exist") })
        #expect(found.contains { $0.contains(": title: missing required field 'title'") })
    }

    @Test func variantVersionFollowsPromptContent() throws {
        let path = try folder()
        let first = try ConfigurationLoader.load(path: path, environment: [:]).useCases[0].variants[0].version
        let again = try ConfigurationLoader.load(path: path, environment: [:]).useCases[0].variants[0].version
        #expect(first == again)
        #expect(first.count == 12)
        try "Question: {{question}}".write(toFile: path + "/usecases/demo/prompts/user.txt", atomically: true, encoding: .utf8)
        let changed = try ConfigurationLoader.load(path: path, environment: [:]).useCases[0].variants[0].version
        #expect(changed != first)
    }

    @Test func escalationAndGatesParse() throws {
        let path = try folder(useCase: {
            $0 + """

                escalation:
                  min_confidence: 0.7
                  always_review:
                    - {field: answer, in: [refund, legal]}
                evaluation:
                  dataset: prompts/user.txt
                  gates: ["schema_valid >= 1.0", "latency_p95_ms <= 2000", "acuracy >= 0.9"]
                """
        })
        let found = diagnostics(path).map(\.description)
        #expect(found.count == 1)
        #expect(found.first?.contains("unknown metric 'acuracy' (did you mean 'accuracy'?)") == true)
    }

    @Test func levenshteinSuggestions() {
        #expect(levenshtein("opnai", "openai") == 1)
        #expect(suggestion(for: "opnai", among: ["openai", "local"]) == "openai")
        #expect(suggestion(for: "zzzzzz", among: ["openai", "local"]) == nil)
    }
}
