import Core
import Foundation
import GatehouseTesting
import Testing

/// The real server on a loopback port, the demo use case on the local engine, the SQLite ledger.
@Suite(.serialized) struct InvokeEndToEndTests {
    @Test func demoInvocationAnswersAndIsInTheLedger() async throws {
        let folder = try TestConfigurations.folder()
        try await TestGateway.run(configurationFolder: folder, environment: TestConfigurations.environment) { gateway in
            let response = try await gateway.send(.POST, "/v1/usecases/ticket-triage/invoke", body: TestConfigurations.ticket, bearer: TestConfigurations.appKey)
            #expect(response.status == 200)
            let body = try #require(response.json)
            let id = try #require(body["invocation_id"]?.stringValue)
            #expect(id.hasPrefix("inv_"))
            #expect(response.header("x-gatehouse-invocation-id") == id)
            #expect(["answered", "escalated"].contains(body["decision"]?.stringValue))
            #expect(["billing", "shipping", "returns", "technical", "account", "sales"].contains(body["output"]?["category"]?.stringValue))
            #expect(body["output"]?["team"] != nil)
            #expect(body["variant"] == "local-classifier")
            #expect((body["confidence"]?.numberValue ?? -1) > 0)
            let row = try #require(try await gateway.runtime.ledger.entry(id: id))
            #expect(row.useCase == "ticket-triage")
            #expect(row.keyID == "app")
            #expect(row.httpStatus == 200)
            #expect(row.payloadMode == "hashed")
            #expect(row.inputPayload?.hasPrefix("hmac-sha256:") == true)
            #expect(row.stageTimings["call_model"] != nil)
        }
    }

    @Test func badRequestsGetTheRightStatusAndTheServerKeepsServing() async throws {
        let folder = try TestConfigurations.folder(maxBodyBytes: 1_048_576)
        try await TestGateway.run(configurationFolder: folder, environment: TestConfigurations.environment) { gateway in
            let key = TestConfigurations.appKey
            let path = "/v1/usecases/ticket-triage/invoke"
            let cases: [(String, TestResponse, Int, String)] = [
                ("malformed JSON", try await gateway.send(.POST, path, body: "{\"input\": {", bearer: key), 400, "malformed_json"),
                ("wrong type", try await gateway.send(.POST, path, body: #"{"input": {"subject": 42, "body": "x"}}"#, bearer: key), 400, "invalid_input"),
                ("missing field", try await gateway.send(.POST, path, body: #"{"input": {"subject": "hi"}}"#, bearer: key), 400, "invalid_input"),
                ("no input", try await gateway.send(.POST, path, body: "{}", bearer: key), 400, "invalid_input"),
                ("invalid UTF-8", try await gateway.send(.POST, path, bytes: [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D], bearer: key), 400, "malformed_json"),
                ("10 MiB body", try await gateway.send(.POST, path, bytes: [UInt8](repeating: 0x20, count: 10 << 20), bearer: key), 413, "body_too_large"),
                ("unknown use case", try await gateway.send(.POST, "/v1/usecases/nope/invoke", body: TestConfigurations.ticket, bearer: key), 404, "unknown_use_case"),
                ("wrong method", try await gateway.send(.GET, path, bearer: key), 405, "method_not_allowed"),
                ("wrong content type", try await gateway.send(.POST, path, body: TestConfigurations.ticket, bearer: key, contentType: "text/plain"), 415, "unsupported_media_type"),
                ("no key", try await gateway.send(.POST, path, body: TestConfigurations.ticket), 401, "missing_api_key"),
                ("bad key", try await gateway.send(.POST, path, body: TestConfigurations.ticket, bearer: "nope"), 401, "invalid_api_key"),
                ("out of scope", try await gateway.send(.POST, path, body: TestConfigurations.ticket, bearer: TestConfigurations.narrowKey), 403, "forbidden"),
                ("unknown route", try await gateway.send(.GET, "/v2/whatever", bearer: key), 404, "not_found"),
            ]
            for (name, response, status, code) in cases {
                #expect(response.status == status, "\(name): status \(response.status)")
                #expect(response.errorCode == code, "\(name): code \(response.errorCode ?? "none") body \(response.body.prefix(200))")
                #expect(response.json?["error"]?["type"]?.stringValue != nil, "\(name): OpenAI-shaped error body")
                #expect(!response.body.contains("Swift") && !response.body.contains(".swift"), "\(name): no internals in the body")
            }
            let wrongType = cases[1].1
            #expect(wrongType.json?["error"]?["param"]?.stringValue == "$.input.subject")
            let ok = try await gateway.send(.POST, path, body: TestConfigurations.ticket, bearer: key)
            #expect(ok.status == 200)
            // Every rejected invocation on the invoke route is in the ledger too (the 405 and unknown route are not invocations).
            let rows = try await gateway.runtime.ledger.recentEntries(limit: 100)
            #expect(rows.filter { $0.httpStatus == 400 }.count == 5)
            #expect(rows.contains { $0.httpStatus == 413 && $0.errorCode == "body_too_large" })
            #expect(rows.contains { $0.httpStatus == 415 })
            #expect(rows.contains { $0.httpStatus == 401 && $0.errorCode == "invalid_api_key" })
            #expect(rows.contains { $0.httpStatus == 403 && $0.keyID == "narrow" })
        }
    }

    @Test func healthReadinessAndModels() async throws {
        let folder = try TestConfigurations.folder()
        try await TestGateway.run(configurationFolder: folder, environment: TestConfigurations.environment) { gateway in
            #expect(try await gateway.send(.GET, "/healthz").status == 200)
            let ready = try await gateway.send(.GET, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json?["store"] == "writable")
            let models = try await gateway.send(.GET, "/v1/models", bearer: TestConfigurations.narrowKey)
            let ids = models.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.contains("usecase/llm-triage"))
            #expect(!ids.contains("usecase/ticket-triage"))
            #expect(ids.contains("mock/mock-model"))
            #expect(try await gateway.send(.GET, "/v1/models").status == 401)
        }
    }

    @Test func escalatesBelowMinimumConfidence() async throws {
        let folder = try TestConfigurations.folder()
        // Raise the demo's threshold to 1.0: a calibrated probability is never 1, so every answer escalates.
        let contract = folder + "/usecases/ticket-triage/usecase.yaml"
        let text = try String(contentsOfFile: contract, encoding: .utf8).replacingOccurrences(of: "min_confidence: 0.45", with: "min_confidence: 1.0")
        try text.write(toFile: contract, atomically: true, encoding: .utf8)
        try await TestGateway.run(configurationFolder: folder, environment: TestConfigurations.environment) { gateway in
            let response = try await gateway.send(.POST, "/v1/usecases/ticket-triage/invoke", body: TestConfigurations.ticket, bearer: TestConfigurations.appKey)
            #expect(response.json?["decision"] == "escalated")
            let reasons = response.json?["escalation_reasons"]?.arrayValue ?? []
            #expect(reasons.contains { $0.stringValue?.contains("below 1.0") == true })
        }
    }
}
