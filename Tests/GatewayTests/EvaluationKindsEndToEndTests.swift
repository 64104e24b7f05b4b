import Core
import Foundation
import GatehouseTesting
import Gateway
import Testing

/// The evaluator's figures for extraction and answering tasks, through the real pipeline and a mock
/// provider over HTTP: per-field exact match and F1, refusal correctness, and the decision mix.
@Suite(.serialized) struct EvaluationKindsEndToEndTests {
    static func folder(mockURL: String) throws -> String {
        let gatehouse = """
            server:
              listen: 127.0.0.1:0
              data_dir: data
            providers:
              - name: mock
                kind: openai-compatible
                base_url: \(mockURL)
                credential: env:GH_TEST_MOCK_KEY
                data_classes: [public, internal]
                retry: {max_attempts: 1}
            """
        let extract = """
            id: invoice-fields
            title: Invoice fields
            purpose: Extract the fields of a supplier invoice.
            owners: {business: a@example.com, technical: b@example.com}
            risk_tier: limited
            task:
              kind: extract
              input_schema: {type: object, required: [text], properties: {text: {type: string}}}
              output_schema:
                type: object
                required: [supplier, total, lines]
                properties:
                  supplier: {type: string}
                  total: {type: number}
                  lines: {type: array, items: {type: string}}
            data_policy: {input_classification: internal, payload_logging: full}
            variants:
              - {name: llm, provider: mock, model: mock-model, prompt: prompt.txt, params: {temperature: 0, response_format: json_object}}
            stable_variant: llm
            """
        let answer = """
            id: faq
            title: FAQ
            purpose: Answer questions about the return policy, or decline.
            owners: {business: a@example.com, technical: b@example.com}
            risk_tier: limited
            task:
              kind: answer
              input_schema: {type: object, required: [question], properties: {question: {type: string}}}
              output_schema:
                type: object
                required: [answerable]
                properties:
                  answerable: {type: boolean}
                  answer: {type: string}
            usage:
              forbidden_topics:
                - {name: legal advice, keywords: [lawyer, sue]}
              refusal_message: I can only answer questions about returns.
            data_policy: {input_classification: internal, payload_logging: full}
            variants:
              - {name: llm, provider: mock, model: mock-model, prompt: prompt.txt, params: {temperature: 0, response_format: json_object}}
            stable_variant: llm
            """
        return try TestGateway.makeConfigurationFolder(
            configYAML: gatehouse, copyDemoUseCases: false,
            extraFiles: [
                "usecases/invoice-fields/usecase.yaml": extract, "usecases/invoice-fields/prompt.txt": "Extract: {{text}}",
                "usecases/faq/usecase.yaml": answer, "usecases/faq/prompt.txt": "Answer: {{question}}",
            ])
    }

    static func item(_ id: String, _ input: JSONValue, _ expected: JSONValue) -> Evaluator.Item {
        Evaluator.Item(id: id, input: input, expected: expected)
    }

    @Test func extractionFiguresPerFieldThroughThePipeline() async throws {
        let mock = MockProviderServer()
        // Item 1 exactly right (up to case and spaces); item 2 half the supplier name, right total, one of two lines;
        // item 3 not JSON at all, twice (the repair attempt fails too): failed, every field wrong.
        mock.enqueue(
            .reply(#"{"supplier": "ACME  gmbh", "total": 120.5, "lines": ["Bolts", "Nuts"]}"#),
            .reply(#"{"supplier": "Nordlicht", "total": 99, "lines": ["Paper"]}"#),
            .reply("no idea"), .reply("still no idea"))
        try await mock.run { url in
            try await TestGateway.run(configurationFolder: try Self.folder(mockURL: url), environment: ["GH_TEST_MOCK_KEY": "sk-mock"]) { gateway in
                let useCase = try #require(gateway.runtime.configuration.useCase(id: "invoice-fields"))
                let items = [
                    Self.item("1", ["text": "ACME GmbH, 120.50 EUR: bolts, nuts"], ["supplier": "ACME GmbH", "total": 120.5, "lines": ["bolts", "nuts"]]),
                    Self.item("2", ["text": "Nordlicht Handel, 99 EUR"], ["supplier": "Nordlicht Handel", "total": 99, "lines": ["paper", "ink"]]),
                    Self.item("3", ["text": "Blank page"], ["supplier": "Blank", "total": 1, "lines": []]),
                ]
                let outcomes = await Evaluator(runtime: gateway.runtime, useCaseID: useCase.id).run(useCase: useCase, variant: nil, items: items, concurrency: 1)
                let figures = EvaluationMetrics.compute(outcomes, useCase: useCase).values
                #expect(figures["field_exact_match.supplier"] == 1.0 / 3)
                #expect(figures["field_exact_match.total"] == 2.0 / 3)
                #expect(figures["field_exact_match.lines"] == 1.0 / 3)
                // Supplier F1: 1, then "nordlicht" of "nordlicht handel" (P 1, R 0.5: 2/3), then 0.
                #expect(abs((figures["field_f1.supplier"] ?? 0) - (1 + 2.0 / 3) / 3) < 1e-9)
                // Lines F1: 1, then one of two (2/3), then an empty list expected but nothing produced (0).
                #expect(abs((figures["field_f1.lines"] ?? 0) - (1 + 2.0 / 3) / 3) < 1e-9)
                #expect(figures["exact_match"] == 1.0 / 3)
                #expect(figures["failure_rate"] == 1.0 / 3 && figures["answered_rate"] == 2.0 / 3)
                #expect(figures["schema_valid"] == 2.0 / 3)
                #expect(figures["accuracy"] == nil, "an extraction task has no labelled classification field")
            }
        }
    }

    @Test func refusalCorrectnessOnAnswerableAndUnanswerableItems() async throws {
        let mock = MockProviderServer()
        // 1: answerable, answered. 2: unanswerable, the model declines. 3: unanswerable, the model answers anyway.
        // 4: unanswerable, a forbidden topic: refused by the contract before any model call. 5: answerable, but declined.
        mock.enqueue(
            .reply(#"{"answerable": true, "answer": "30 days."}"#),
            .reply(#"{"answerable": false}"#),
            .reply(#"{"answerable": true, "answer": "Probably yes."}"#),
            .reply(#"{"answerable": false}"#))
        try await mock.run { url in
            try await TestGateway.run(configurationFolder: try Self.folder(mockURL: url), environment: ["GH_TEST_MOCK_KEY": "sk-mock"]) { gateway in
                let useCase = try #require(gateway.runtime.configuration.useCase(id: "faq"))
                let items = [
                    Self.item("1", ["question": "How long do I have to return a kettle?"], ["answerable": true]),
                    Self.item("2", ["question": "What will the weather be on Friday?"], ["answerable": false]),
                    Self.item("3", ["question": "Will my flight be delayed?"], ["answerable": false]),
                    Self.item("4", ["question": "Should I sue the courier?"], ["answerable": false]),
                    Self.item("5", ["question": "Can I return opened software?"], ["answerable": true]),
                ]
                let outcomes = await Evaluator(runtime: gateway.runtime, useCaseID: useCase.id).run(useCase: useCase, variant: nil, items: items, concurrency: 1)
                #expect(outcomes.map(\.decision) == [.answered, .answered, .answered, .refused, .answered], "\(outcomes.map(\.decision))")
                let figures = EvaluationMetrics.compute(outcomes, useCase: useCase).values
                #expect(figures["refusal_correctness"] == 3.0 / 5, "\(figures)")
                #expect(figures["unanswerable_declined_rate"] == 2.0 / 3)
                #expect(figures["answerable_answered_rate"] == 1.0 / 2)
                #expect(figures["refusal_rate"] == 1.0 / 5)
                #expect(mock.requestCount == 4, "the forbidden topic never reached the model")
            }
        }
    }
}
