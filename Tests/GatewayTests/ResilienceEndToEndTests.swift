import Core
import Foundation
import GatehouseTesting
import Testing

/// The gateway against a mock provider running as a real HTTP server on loopback that fails, stalls,
/// rate-limits, sends malformed JSON or cuts streams. Each behaviour is checked with its ledger row.
@Suite(.serialized) struct ResilienceEndToEndTests {
    static let goodAnswer = #"{"category": "billing", "priority": "normal"}"#

    func withGateway(
        _ mock: MockProviderServer, deadlineMilliseconds: Int = 3000, fallback: Bool = true, retryAttempts: Int = 2, breakerThreshold: Int = 100,
        _ body: @escaping @Sendable (TestGateway) async throws -> Void
    ) async throws {
        try await mock.run { url in
            let folder = try TestConfigurations.folder(
                mockURL: url, deadlineMilliseconds: deadlineMilliseconds, fallback: fallback, retryAttempts: retryAttempts, breakerThreshold: breakerThreshold)
            try await TestGateway.run(configurationFolder: folder, environment: TestConfigurations.environment, body)
        }
    }

    func invoke(_ gateway: TestGateway) async throws -> (TestResponse, LedgerEntry) {
        let response = try await gateway.send(.POST, "/v1/usecases/llm-triage/invoke", body: TestConfigurations.ticket, bearer: TestConfigurations.appKey)
        let id = try #require(response.header("x-gatehouse-invocation-id") ?? response.json?["invocation_id"]?.stringValue)
        let row = try #require(try await gateway.runtime.ledger.entry(id: id))
        return (response, row)
    }

    @Test func llmAnswerIsValidatedDerivedAndCosted() async throws {
        let mock = MockProviderServer(default: .reply(Self.goodAnswer, usage: TokenUsage(inputTokens: 1000, outputTokens: 500)))
        try await withGateway(mock) { gateway in
            let (response, row) = try await invoke(gateway)
            #expect(response.status == 200)
            #expect(response.json?["decision"] == "answered")
            #expect(response.json?["output"]?["team"] == "finance")
            #expect(abs((response.json?["cost_usd"]?.numberValue ?? 0) - (1000 * 2.0 + 500 * 4.0) / 1e6) < 1e-12)
            #expect(row.provider == "mock" && row.inputTokens == 1000 && row.outputTokens == 500)
            let sent = try #require(mock.requests.first)
            #expect(sent.headers["authorization"] == "Bearer sk-mock-secret-value")
            #expect(sent.body["messages"]?.arrayValue?.first?["content"]?.stringValue?.contains("Subject: Refund missing") == true)
            #expect(sent.body["response_format"]?["type"] == "json_object")
        }
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let mock = MockProviderServer(default: .reply(Self.goodAnswer))
        mock.enqueue(.status(500))
        try await withGateway(mock) { gateway in
            let (response, row) = try await invoke(gateway)
            #expect(response.json?["decision"] == "answered")
            #expect(row.attempts.count == 2)
            #expect(row.attempts[0].error?.contains("HTTP 500") == true)
            #expect(row.attempts[1].error == nil)
        }
    }

    @Test func honoursRetryAfter() async throws {
        let mock = MockProviderServer(default: .reply(Self.goodAnswer))
        mock.enqueue(.status(429, retryAfter: "1"))
        try await withGateway(mock) { gateway in
            let started = ContinuousClock.now
            let (response, row) = try await invoke(gateway)
            let elapsed = ContinuousClock.now - started
            #expect(response.json?["decision"] == "answered")
            #expect(elapsed >= .milliseconds(950), "waited \(elapsed) for Retry-After: 1")
            #expect(row.attempts.count == 2)
        }
    }

    @Test func deadlineIsHonouredWithinTenPercent() async throws {
        let mock = MockProviderServer(default: .stall(seconds: 5))
        try await withGateway(mock, deadlineMilliseconds: 1000, fallback: false) { gateway in
            let started = ContinuousClock.now
            let (response, row) = try await invoke(gateway)
            let elapsed = ContinuousClock.now - started
            #expect(response.status == 504)
            #expect(response.errorCode == "deadline_exceeded")
            #expect(elapsed >= .milliseconds(1000) && elapsed <= .milliseconds(1100), "answered after \(elapsed)")
            #expect(row.httpStatus == 504 && row.decision == .failed)
        }
    }

    @Test func fallsBackToTheLocalEngineWhenTheProviderIsDown() async throws {
        let mock = MockProviderServer(default: .status(503))
        try await withGateway(mock) { gateway in
            let (response, row) = try await invoke(gateway)
            #expect(response.status == 200)
            #expect(response.json?["decision"] == "fallback")
            #expect(response.json?["variant"] == "local")
            #expect(row.decision == .fallback && row.variant == "local" && row.provider == "local")
            #expect(row.attempts.filter { $0.provider == "mock" }.count == 2)
        }
    }

    @Test func noProviderAnswers503And502() async throws {
        let mock = MockProviderServer(default: .status(503))
        try await withGateway(mock, fallback: false) { gateway in
            let (unavailable, row) = try await invoke(gateway)
            #expect(unavailable.status == 502)
            #expect(row.decision == .failed && row.errorCode == "upstream_error")
            mock.enqueue(.malformed)
            let (malformed, malformedRow) = try await invoke(gateway)
            #expect(malformed.status == 502)
            #expect(malformed.errorCode == "bad_upstream_response")
            #expect(malformedRow.attempts.count == 1, "malformed JSON is not retried")
        }
        let dead = MockProviderServer()
        try await dead.run { _ in
            // A port nothing listens on: connection refused, so no provider is available at all.
            let folder = try TestConfigurations.folder(mockURL: "http://127.0.0.1:9/v1", fallback: false)
            try await TestGateway.run(configurationFolder: folder, environment: TestConfigurations.environment) { gateway in
                let (response, row) = try await invoke(gateway)
                #expect(response.status == 503)
                #expect(response.errorCode == "provider_unavailable")
                #expect(response.header("retry-after") != nil)
                #expect(row.httpStatus == 503)
            }
        }
    }

    @Test func invalidOutputGetsOneRepairAttempt() async throws {
        let mock = MockProviderServer(default: .reply(Self.goodAnswer))
        mock.enqueue(.reply(#"{"category": "weather", "priority": "normal"}"#))
        try await withGateway(mock) { gateway in
            let (response, row) = try await invoke(gateway)
            #expect(response.json?["decision"] == "answered")
            #expect(row.attempts.count == 2)
            let repair = try #require(mock.requests.last)
            let messages = repair.body["messages"]?.arrayValue ?? []
            #expect(messages.count == 3)
            #expect(messages.last?["content"]?.stringValue?.contains("weather") == true)
        }
    }

    @Test func circuitBreakerOpensAndSkipsTheProvider() async throws {
        let mock = MockProviderServer(default: .status(500))
        try await withGateway(mock, retryAttempts: 1, breakerThreshold: 3) { gateway in
            for _ in 0..<3 { _ = try await invoke(gateway) }
            #expect(mock.requestCount == 3)
            let (response, row) = try await invoke(gateway)
            #expect(mock.requestCount == 3, "an open circuit sends nothing upstream")
            #expect(response.json?["decision"] == "fallback")
            #expect(row.attempts.first?.error == "circuit breaker open")
        }
    }

    @Test func passthroughStreamCutEndsWithAnErrorEventAndALedgerRow() async throws {
        let mock = MockProviderServer()
        mock.enqueue(.stream(["Hel", "lo ", "wor", "ld"], cutAfter: 2))
        try await withGateway(mock) { gateway in
            let body = #"{"model": "mock/mock-model", "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#
            let response = try await gateway.send(.POST, "/v1/chat/completions", body: body, bearer: TestConfigurations.appKey)
            #expect(response.status == 200)
            #expect(response.body.contains(#""content":"Hel""#))
            #expect(response.body.contains(#""error""#))
            #expect(!response.body.contains("[DONE]"))
            let id = try #require(response.header("x-gatehouse-invocation-id"))
            let row = try #require(try await gateway.runtime.ledger.entry(id: id))
            #expect(row.decision == .failed)
            #expect(row.streamOutcome?.contains("stream cut") == true)
        }
    }

    @Test func passthroughStreamStallIsDetected() async throws {
        let mock = MockProviderServer()
        mock.enqueue(.streamStall(afterChunks: 1, seconds: 3))
        try await withGateway(mock) { gateway in
            let body = #"{"model": "mock/mock-model", "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#
            let started = ContinuousClock.now
            let response = try await gateway.send(.POST, "/v1/chat/completions", body: body, bearer: TestConfigurations.appKey)
            #expect(ContinuousClock.now - started < .milliseconds(2500), "the 500 ms stall limit ended the stream, not the upstream")
            #expect(response.body.contains("stream stalled"))
            let id = try #require(response.header("x-gatehouse-invocation-id"))
            #expect(try await gateway.runtime.ledger.entry(id: id)?.streamOutcome?.contains("stalled") == true)
        }
    }

    @Test func streamFailsOverBeforeTheFirstToken() async throws {
        let mock = MockProviderServer()
        mock.enqueue(.status(500), .stream(["ok ", "now"]))
        try await withGateway(mock) { gateway in
            let body = #"{"model": "mock/mock-model", "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#
            let response = try await gateway.send(.POST, "/v1/chat/completions", body: body, bearer: TestConfigurations.appKey)
            #expect(response.body.contains("[DONE]"))
            #expect(response.body.contains(#""content":"now""#))
            let id = try #require(response.header("x-gatehouse-invocation-id"))
            let row = try #require(try await gateway.runtime.ledger.entry(id: id))
            #expect(row.attempts.count == 2 && row.decision == .answered && row.streamOutcome == "completed")
        }
    }

    @Test func passthroughKeepsToolCalls() async throws {
        let mock = MockProviderServer()
        mock.enqueue(.toolCall(name: "route_ticket", arguments: #"{"team":"finance"}"#))
        try await withGateway(mock) { gateway in
            let body = #"{"model": "mock/mock-model", "messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function", "function": {"name": "route_ticket", "parameters": {"type": "object"}}}]}"#
            let response = try await gateway.send(.POST, "/v1/chat/completions", body: body, bearer: TestConfigurations.appKey)
            #expect(response.status == 200)
            #expect(response.json?["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?.first?["function"]?["name"] == "route_ticket")
            #expect(mock.requests.first?.body["tools"]?.arrayValue?.count == 1)
        }
    }
}
