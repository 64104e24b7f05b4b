import Foundation
import GatehouseTesting

/// Configuration folders used by the end-to-end tests.
enum TestConfigurations {
    static let appKey = "gh_test_app_key_5f0c2b"
    static let narrowKey = "gh_test_narrow_key_77aa"
    static let environment = ["GH_TEST_APP_KEY": appKey, "GH_TEST_NARROW_KEY": narrowKey, "GH_TEST_MOCK_KEY": "sk-mock-secret-value"]

    /// The demo use case on the local engine, plus an LLM use case on `mockURL` with the local engine as fallback.
    static func folder(mockURL: String = "http://127.0.0.1:9/v1", deadlineMilliseconds: Int = 3000, fallback: Bool = true, retryAttempts: Int = 2, breakerThreshold: Int = 100, maxBodyBytes: Int = 1_048_576, serverExtra: String = "") throws -> String {
        let gatehouse = """
            server:
              listen: 127.0.0.1:0
              data_dir: data
              max_body_bytes: \(maxBodyBytes)
            \(serverExtra)
            providers:
              - name: local
                kind: local
              - name: mock
                kind: openai-compatible
                base_url: \(mockURL)
                credential: env:GH_TEST_MOCK_KEY
                data_classes: [public, internal]
                prices: {input_per_million: 2.0, output_per_million: 4.0}
                timeout_ms: 5000
                retry: {max_attempts: \(retryAttempts), base_delay_ms: 50, max_delay_ms: 200}
                circuit_breaker: {failure_threshold: \(breakerThreshold), open_ms: 60000}
                stream_stall_ms: 500
              - name: openai
                kind: openai-compatible
                base_url: http://127.0.0.1:9/v1
                credential: env:GH_TEST_UNSET
                data_classes: [public, internal]
            api_keys:
              - id: app
                secret: env:GH_TEST_APP_KEY
              - id: narrow
                secret: env:GH_TEST_NARROW_KEY
                use_cases: [llm-triage]
                providers: [mock]
            """
        let useCase = """
            id: llm-triage
            title: LLM triage
            purpose: Triage with an LLM and the local engine as degraded mode.
            owners: {business: a@example.com, technical: b@example.com}
            risk_tier: limited
            task:
              kind: classify
              input_schema:
                type: object
                required: [subject, body]
                properties:
                  subject: {type: string}
                  body: {type: string}
              output_schema:
                type: object
                required: [category, priority, team]
                properties:
                  category: {type: string, enum: [billing, shipping, returns, technical, account, sales]}
                  priority: {type: string, enum: [low, normal, high, urgent]}
                  team: {type: string}
              labels:
                category: [billing, shipping, returns, technical, account, sales]
                priority: [low, normal, high, urgent]
              derived:
                - field: team
                  from: category
                  map: {billing: finance, shipping: logistics, returns: logistics, technical: support-l2, account: support-l1, sales: sales}
            data_policy: {input_classification: internal, payload_logging: full}
            variants:
              - name: mock-llm
                provider: mock
                model: mock-model
                prompt: prompt.txt
                params: {temperature: 0, response_format: json_object}
              - name: local
                provider: local
                local:
                  model: classifier
                  training_data: ../ticket-triage/datasets/train.jsonl
                  text_fields: [subject, body]
            stable_variant: mock-llm
            \(fallback ? "fallback_variant: local" : "")
            limits: {deadline_ms: \(deadlineMilliseconds)}
            """
        return try TestGateway.makeConfigurationFolder(
            configYAML: gatehouse,
            extraFiles: [
                "usecases/llm-triage/usecase.yaml": useCase,
                "usecases/llm-triage/prompt.txt": "Classify this ticket.\nSubject: {{subject}}\n{{body}}",
            ])
    }

    static let ticket = #"{"input": {"subject": "Refund missing", "body": "I returned the kettle two weeks ago and the refund is still not on my card."}}"#
}
