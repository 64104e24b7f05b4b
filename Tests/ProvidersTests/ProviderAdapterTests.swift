import AsyncHTTPClient
import Core
import Foundation
import GatehouseTesting
import Testing

@testable import Providers

/// The adapters against the mock provider over real HTTP on loopback.
@Suite struct ProviderAdapterTests {
    static func configuration(_ kind: ProviderConfiguration.Kind, url: String, stallMilliseconds: Int = 400) -> ProviderConfiguration {
        ProviderConfiguration(
            name: "mock", kind: kind, baseURL: url, credential: .environment("X"), timeoutMilliseconds: 3000,
            retry: RetryPolicy(maxAttempts: 3, baseDelayMilliseconds: 20, maxDelayMilliseconds: 100),
            circuitBreaker: CircuitBreakerPolicy(failureThreshold: 2, openMilliseconds: 300), streamStallMilliseconds: stallMilliseconds)
    }

    static let request = ModelRequest(
        model: "m1", messages: [.system("be brief"), .user("hello")], parameters: ModelParameters(temperature: 0.2, maxTokens: 50),
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")

    func collect(_ stream: ModelEventStream) async throws -> [ModelStreamEvent] {
        var events: [ModelStreamEvent] = []
        for try await event in stream { events.append(event) }
        return events
    }

    @Test func openAIRequestAndResponseMapping() async throws {
        let mock = MockProviderServer(default: .reply("hi there", usage: TokenUsage(inputTokens: 9, outputTokens: 2)))
        try await mock.run { url in
            let client = HTTPClient.shared
            let provider = OpenAICompatibleProvider(configuration: Self.configuration(.openAICompatible, url: url), credential: "sk-1", httpClient: client)
            let response = try await provider.complete(Self.request, timeout: .seconds(3))
            #expect(response.content == "hi there")
            #expect(response.usage == TokenUsage(inputTokens: 9, outputTokens: 2))
            let sent = try #require(mock.requests.first)
            #expect(sent.path == "/v1/chat/completions")
            #expect(sent.headers["authorization"] == "Bearer sk-1")
            #expect(sent.headers["traceparent"] == Self.request.traceparent)
            #expect(sent.body["max_tokens"] == 50 && sent.body["temperature"] == 0.2)
            #expect(sent.body["messages"]?.arrayValue?.count == 2)

            let events = try await collect(try await provider.stream(Self.request, timeout: .seconds(3)))
            let text = events.compactMap { if case .textDelta(let t) = $0 { t } else { nil } }.joined()
            #expect(text == "hi there")
            #expect(events.contains(.finish(reason: "stop")))
            #expect(events.contains(.usage(TokenUsage(inputTokens: 9, outputTokens: 2))))
            #expect(mock.requests.last?.body["stream_options"]?["include_usage"] == true)
        }
    }

    @Test func anthropicRequestAndResponseMapping() async throws {
        let mock = MockProviderServer(default: .reply("bonjour", usage: TokenUsage(inputTokens: 11, outputTokens: 3)))
        try await mock.run { url in
            let client = HTTPClient.shared
            let provider = AnthropicProvider(configuration: Self.configuration(.anthropic, url: url), credential: "ak-1", httpClient: client)
            let response = try await provider.complete(Self.request, timeout: .seconds(3))
            #expect(response.content == "bonjour")
            #expect(response.finishReason == "stop")
            #expect(response.usage == TokenUsage(inputTokens: 11, outputTokens: 3))
            let sent = try #require(mock.requests.first)
            #expect(sent.path == "/v1/messages")
            #expect(sent.headers["x-api-key"] == "ak-1")
            #expect(sent.headers["anthropic-version"] == "2023-06-01")
            #expect(sent.body["system"] == "be brief")
            #expect(sent.body["messages"]?.arrayValue?.count == 1)

            let events = try await collect(try await provider.stream(Self.request, timeout: .seconds(3)))
            #expect(events.compactMap { if case .textDelta(let t) = $0 { t } else { nil } }.joined() == "bonjour")
            #expect(events.contains(.usage(TokenUsage(inputTokens: 11, outputTokens: 3))))

            mock.enqueue(.toolCall(name: "route_ticket", arguments: #"{"team":"finance"}"#))
            let tool = try await provider.complete(Self.request, timeout: .seconds(3))
            #expect(tool.finishReason == "tool_calls")
            let call = try #require(tool.toolCalls?.arrayValue?.first)
            #expect(call["function"]?["name"] == "route_ticket")
            #expect(call["function"]?["arguments"]?.stringValue.flatMap { try? JSONValue.parse($0) } == ["team": "finance"])
        }
    }

    @Test func errorsMapToProviderErrors() async throws {
        let mock = MockProviderServer()
        mock.enqueue(.status(429, retryAfter: "2"), .malformed, .stream(["a", "b", "c"], cutAfter: 1), .streamStall(afterChunks: 1, seconds: 2))
        try await mock.run { url in
            let client = HTTPClient.shared
            let provider = OpenAICompatibleProvider(configuration: Self.configuration(.openAICompatible, url: url), credential: nil, httpClient: client)
            await #expect(throws: ProviderError.http(status: 429, retryAfterSeconds: 2, message: "mock failure")) {
                _ = try await provider.complete(Self.request, timeout: .seconds(3))
            }
            await #expect(throws: ProviderError.malformedResponse("body is not JSON")) {
                _ = try await provider.complete(Self.request, timeout: .seconds(3))
            }
            let cut = try await provider.stream(Self.request, timeout: .seconds(3))
            await #expect(throws: ProviderError.streamCut("upstream closed the stream before its end marker")) { _ = try await collect(cut) }
            let started = ContinuousClock.now
            let stalled = try await provider.stream(Self.request, timeout: .seconds(3))
            await #expect(throws: ProviderError.streamStalled) { _ = try await collect(stalled) }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .milliseconds(1000), "stall limit 400 ms, took \(elapsed)")
        }
    }

    @Test func retryAfterDateIsParsed() {
        #expect(ProviderHTTP.retryAfter("3") == 3)
        #expect(ProviderHTTP.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
        #expect(ProviderHTTP.retryAfter("soon") == nil)
    }
}
