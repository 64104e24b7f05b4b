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

    /// The request body, written straight to bytes in OpenAI's member order (no dictionaries: this is on
    /// every call's path).
    func body(_ request: ModelRequest, stream: Bool) -> [UInt8] {
        var json = JSONWriter(capacity: 1024)
        json.beginObject()
        json.member("model", request.model)
        json.key("messages")
        json.beginArray()
        for message in request.messages { Self.write(message, into: &json) }
        json.endArray()
        let parameters = request.parameters
        if let temperature = parameters.temperature { json.member("temperature", number: temperature) }
        if let topP = parameters.topP { json.member("top_p", number: topP) }
        if let maxTokens = parameters.maxTokens { json.member("max_tokens", integer: maxTokens) }
        if !parameters.stop.isEmpty { json.member("stop", .array(parameters.stop.map(JSONValue.string))) }
        if let tools = request.tools { json.member("tools", tools) }
        if let toolChoice = request.toolChoice { json.member("tool_choice", toolChoice) }
        if let responseFormat = request.responseFormat { json.member("response_format", responseFormat) }
        if stream {
            json.member("stream", .bool(true))
            json.member("stream_options", ["include_usage": true])
        }
        json.endObject()
        return json.bytes
    }

    static func write(_ message: ChatMessage, into json: inout JSONWriter) {
        json.beginObject()
        json.member("role", message.role)
        json.member("content", message.content)
        if let name = message.name { json.member("name", name) }
        if let toolCalls = message.toolCalls { json.member("tool_calls", toolCalls) }
        if let toolCallID = message.toolCallID { json.member("tool_call_id", toolCallID) }
        json.endObject()
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
