import AsyncHTTPClient
import Core
import Foundation

/// Chat completions on any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 API, vLLM, Ollama,
/// llama.cpp server, LiteLLM, ...). One call is one attempt.
public struct OpenAICompatibleProvider: ModelProvider {
    public let name: String
    let configuration: ProviderConfiguration
    let credential: String?
    let client: HTTPClient
    /// Carries the non-streaming calls; `client` carries the streams.
    let upstream: UpstreamConnectionPool

    public init(configuration: ProviderConfiguration, credential: String?, httpClient: HTTPClient, upstream: UpstreamConnectionPool = .shared) {
        self.name = configuration.name
        self.configuration = configuration
        self.credential = credential
        self.client = httpClient
        self.upstream = upstream
    }

    var endpoint: String { (configuration.baseURL ?? "") + "/chat/completions" }

    func headers(_ request: ModelRequest) -> [(String, String)] {
        var headers = configuration.headers.map { ($0.key, $0.value) }
        if let credential { headers.append(("Authorization", "Bearer \(credential)")) }
        if let traceparent = request.traceparent { headers.append(("traceparent", traceparent)) }
        return headers
    }

    func body(_ request: ModelRequest, stream: Bool) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "messages": .array(request.messages.map(Self.encode)),
        ]
        let parameters = request.parameters
        if let temperature = parameters.temperature { body["temperature"] = .number(temperature) }
        if let topP = parameters.topP { body["top_p"] = .number(topP) }
        if let maxTokens = parameters.maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        if !parameters.stop.isEmpty { body["stop"] = .array(parameters.stop.map(JSONValue.string)) }
        if let tools = request.tools { body["tools"] = tools }
        if let toolChoice = request.toolChoice { body["tool_choice"] = toolChoice }
        if let responseFormat = request.responseFormat { body["response_format"] = responseFormat }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    static func encode(_ message: ChatMessage) -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role), "content": message.content]
        if let name = message.name { object["name"] = .string(name) }
        if let toolCalls = message.toolCalls { object["tool_calls"] = toolCalls }
        if let toolCallID = message.toolCallID { object["tool_call_id"] = .string(toolCallID) }
        return .object(object)
    }

    public func complete(_ request: ModelRequest, timeout: Duration) async throws -> ModelResponse {
        guard configuration.baseURL != nil else { throw ProviderError.notConfigured("provider has no base_url") }
        let http = ProviderHTTP.request(url: endpoint, headers: headers(request))
        let json = try await ProviderHTTP.executeJSON(upstream, http, body: body(request, stream: false), timeout: timeout)
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw ProviderError.malformedResponse("no choices[0].message")
        }
        let content = message["content"]?.stringValue
        let toolCalls = message["tool_calls"].flatMap { $0.isNull ? nil : $0 }
        if content == nil && toolCalls == nil { throw ProviderError.malformedResponse("message has neither content nor tool_calls") }
        let usage: TokenUsage
        if let prompt = json["usage"]?["prompt_tokens"]?.numberValue, let completion = json["usage"]?["completion_tokens"]?.numberValue {
            var reported = TokenUsage(inputTokens: Int(prompt), outputTokens: Int(completion))
            reported.cachedInputTokens = Int(json["usage"]?["prompt_tokens_details"]?["cached_tokens"]?.numberValue ?? 0)
            usage = reported
        } else {
            usage = TokenUsage(
                inputTokens: TokenUsage.estimate(characters: request.promptCharacters),
                outputTokens: TokenUsage.estimate(characters: content?.count ?? 0), estimated: true)
        }
        return ModelResponse(
            content: content, toolCalls: toolCalls, finishReason: choice["finish_reason"]?.stringValue, usage: usage,
            model: json["model"]?.stringValue ?? request.model)
    }

    public func stream(_ request: ModelRequest, timeout: Duration) async throws -> ModelEventStream {
        guard configuration.baseURL != nil else { throw ProviderError.notConfigured("provider has no base_url") }
        let http = ProviderHTTP.request(url: endpoint, headers: headers(request), body: body(request, stream: true))
        return try await ProviderHTTP.openStream(
            client, http, timeout: timeout, stall: .milliseconds(configuration.streamStallMilliseconds),
            decoder: { OpenAIStreamDecoder() })
    }
}

/// `data: {chunk}` ... `data: [DONE]`.
struct OpenAIStreamDecoder: StreamDecoder {
    mutating func decode(_ event: ServerSentEventParser.Event) throws -> [StreamOutput] {
        if event.data == "[DONE]" { return [.finished] }
        guard let chunk = try? JSONValue.parse(event.data) else {
            throw ProviderError.malformedResponse("stream chunk is not JSON")
        }
        if let error = chunk["error"] {
            throw ProviderError.streamCut("upstream error: \(error["message"]?.stringValue?.prefix(200) ?? "unknown")")
        }
        var outputs: [StreamOutput] = []
        if let choice = chunk["choices"]?.arrayValue?.first {
            if let text = choice["delta"]?["content"]?.stringValue, !text.isEmpty { outputs.append(.event(.textDelta(text))) }
            if let calls = choice["delta"]?["tool_calls"], !calls.isNull { outputs.append(.event(.toolCallDelta(calls))) }
            if let reason = choice["finish_reason"]?.stringValue { outputs.append(.event(.finish(reason: reason))) }
        }
        if let prompt = chunk["usage"]?["prompt_tokens"]?.numberValue, let completion = chunk["usage"]?["completion_tokens"]?.numberValue {
            var reported = TokenUsage(inputTokens: Int(prompt), outputTokens: Int(completion))
            reported.cachedInputTokens = Int(chunk["usage"]?["prompt_tokens_details"]?["cached_tokens"]?.numberValue ?? 0)
            outputs.append(.event(.usage(reported)))
        }
        return outputs
    }
}
