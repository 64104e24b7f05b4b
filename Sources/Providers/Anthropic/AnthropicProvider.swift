import AsyncHTTPClient
import Core
import Foundation

/// Anthropic's Messages API, mapped to and from the OpenAI-shaped internal types.
public struct AnthropicProvider: ModelProvider {
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

    var endpoint: String {
        let base = configuration.baseURL ?? ""
        return base.hasSuffix("/v1") ? base + "/messages" : base + "/v1/messages"
    }

    func headers(_ request: ModelRequest) -> [(String, String)] {
        var headers = configuration.headers.map { ($0.key, $0.value) }
        if !configuration.headers.keys.contains(where: { $0.lowercased() == "anthropic-version" }) {
            headers.append(("anthropic-version", "2023-06-01"))
        }
        if let credential { headers.append(("x-api-key", credential)) }
        if let traceparent = request.traceparent { headers.append(("traceparent", traceparent)) }
        return headers
    }

    func body(_ request: ModelRequest, stream: Bool) -> JSONValue {
        var system: [String] = []
        var messages: [JSONValue] = []
        for message in request.messages {
            switch message.role {
            case "system", "developer":
                system.append(message.text)
            case "tool":
                messages.append([
                    "role": "user",
                    "content": [["type": "tool_result", "tool_use_id": .string(message.toolCallID ?? ""), "content": .string(message.text)]],
                ])
            case "assistant":
                var blocks: [JSONValue] = []
                if !message.text.isEmpty { blocks.append(["type": "text", "text": .string(message.text)]) }
                for call in message.toolCalls?.arrayValue ?? [] {
                    let arguments = call["function"]?["arguments"]?.stringValue.flatMap { try? JSONValue.parse($0) } ?? [:]
                    blocks.append([
                        "type": "tool_use", "id": call["id"] ?? "", "name": call["function"]?["name"] ?? "", "input": arguments,
                    ])
                }
                messages.append(["role": "assistant", "content": .array(blocks)])
            default:
                messages.append(["role": "user", "content": .string(message.text)])
            }
        }
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "messages": .array(messages),
            "max_tokens": .number(Double(request.parameters.maxTokens ?? 1024)),
        ]
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        if let temperature = request.parameters.temperature { body["temperature"] = .number(min(temperature, 1)) }
        if let topP = request.parameters.topP { body["top_p"] = .number(topP) }
        if !request.parameters.stop.isEmpty { body["stop_sequences"] = .array(request.parameters.stop.map(JSONValue.string)) }
        if let tools = request.tools?.arrayValue {
            body["tools"] = .array(tools.compactMap { tool in
                guard let function = tool["function"] else { return nil }
                return [
                    "name": function["name"] ?? "", "description": function["description"] ?? "",
                    "input_schema": function["parameters"] ?? ["type": "object"],
                ]
            })
        }
        if let choice = request.toolChoice {
            switch choice {
            case .string("required"): body["tool_choice"] = ["type": "any"]
            case .string("auto"): body["tool_choice"] = ["type": "auto"]
            case .string("none"): body["tool_choice"] = ["type": "none"]
            default:
                if let name = choice["function"]?["name"] { body["tool_choice"] = ["type": "tool", "name": name] }
            }
        }
        if stream { body["stream"] = true }
        return .object(body)
    }

    static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case "end_turn", "stop_sequence": return "stop"
        case "max_tokens": return "length"
        case "tool_use": return "tool_calls"
        case nil: return nil
        case let other?: return other
        }
    }

    public func complete(_ request: ModelRequest, timeout: Duration) async throws -> ModelResponse {
        guard configuration.baseURL != nil else { throw ProviderError.notConfigured("provider has no base_url") }
        let http = ProviderHTTP.request(url: endpoint, headers: headers(request))
        let json = try await ProviderHTTP.executeJSON(upstream, http, body: body(request, stream: false).compactJSONBytes(), timeout: timeout)
        guard let blocks = json["content"]?.arrayValue else { throw ProviderError.malformedResponse("no content blocks") }
        var text = ""
        var toolCalls: [JSONValue] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text": text += block["text"]?.stringValue ?? ""
            case "tool_use":
                toolCalls.append([
                    "id": block["id"] ?? "", "type": "function",
                    "function": ["name": block["name"] ?? "", "arguments": .string((block["input"] ?? [:]).compactJSONString())],
                ])
            default: break
            }
        }
        let usage: TokenUsage
        if let input = json["usage"]?["input_tokens"]?.numberValue, let output = json["usage"]?["output_tokens"]?.numberValue {
            // Anthropic reports cache reads apart from the other input tokens.
            let cacheRead = Int(json["usage"]?["cache_read_input_tokens"]?.numberValue ?? 0)
            var reported = TokenUsage(inputTokens: Int(input) + cacheRead, outputTokens: Int(output))
            reported.cachedInputTokens = cacheRead
            usage = reported
        } else {
            usage = TokenUsage(
                inputTokens: TokenUsage.estimate(characters: request.promptCharacters), outputTokens: TokenUsage.estimate(characters: text.count),
                estimated: true)
        }
        return ModelResponse(
            content: toolCalls.isEmpty || !text.isEmpty ? text : nil, toolCalls: toolCalls.isEmpty ? nil : .array(toolCalls),
            finishReason: Self.finishReason(json["stop_reason"]?.stringValue), usage: usage, model: json["model"]?.stringValue ?? request.model)
    }

    public func stream(_ request: ModelRequest, timeout: Duration) async throws -> ModelEventStream {
        guard configuration.baseURL != nil else { throw ProviderError.notConfigured("provider has no base_url") }
        let http = ProviderHTTP.request(url: endpoint, headers: headers(request), body: body(request, stream: true).compactJSONBytes())
        return try await ProviderHTTP.openStream(
            client, http, timeout: timeout, stall: .milliseconds(configuration.streamStallMilliseconds),
            decoder: { AnthropicStreamDecoder() })
    }
}

/// message_start, content_block_start/delta/stop, message_delta, message_stop, error.
struct AnthropicStreamDecoder: StreamDecoder {
    var inputTokens = 0
    var outputTokens = 0
    var toolIndex = -1

    mutating func decode(_ event: ServerSentEventParser.Event) throws -> [StreamOutput] {
        guard let payload = try? JSONValue.parse(event.data) else {
            throw ProviderError.malformedResponse("stream event is not JSON")
        }
        switch payload["type"]?.stringValue ?? event.event {
        case "message_start":
            inputTokens = Int(payload["message"]?["usage"]?["input_tokens"]?.numberValue ?? 0)
            outputTokens = Int(payload["message"]?["usage"]?["output_tokens"]?.numberValue ?? 0)
            return []
        case "content_block_start":
            guard let block = payload["content_block"], block["type"]?.stringValue == "tool_use" else { return [] }
            toolIndex += 1
            return [.event(.toolCallDelta([[
                "index": .number(Double(toolIndex)), "id": block["id"] ?? "", "type": "function",
                "function": ["name": block["name"] ?? "", "arguments": ""],
            ]]))]
        case "content_block_delta":
            let delta = payload["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta":
                guard let text = delta?["text"]?.stringValue, !text.isEmpty else { return [] }
                return [.event(.textDelta(text))]
            case "input_json_delta":
                return [.event(.toolCallDelta([["index": .number(Double(max(toolIndex, 0))), "function": ["arguments": delta?["partial_json"] ?? ""]]]))]
            default: return []
            }
        case "message_delta":
            if let output = payload["usage"]?["output_tokens"]?.numberValue { outputTokens = Int(output) }
            var outputs: [StreamOutput] = []
            if let reason = AnthropicProvider.finishReason(payload["delta"]?["stop_reason"]?.stringValue) {
                outputs.append(.event(.finish(reason: reason)))
            }
            return outputs
        case "message_stop":
            return [.event(.usage(TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens))), .finished]
        case "error":
            throw ProviderError.streamCut("upstream error: \(payload["error"]?["message"]?.stringValue?.prefix(200) ?? "unknown")")
        default:
            return []
        }
    }
}
