import Core

/// The parts of an OpenAI chat completion request the gateway reads. Unknown fields are ignored, as
/// OpenAI-compatible servers do, so newer clients keep working.
struct ChatCompletionRequest: Sendable {
    enum Target: Sendable {
        case useCase(String)
        case provider(String, model: String)
    }

    var model: String
    var target: Target
    var messages: [ChatMessage]
    var stream: Bool
    var includeUsage: Bool
    var parameters: ModelParameters
    var tools: JSONValue?
    var toolChoice: JSONValue?
    var responseFormat: JSONValue?
    /// `input` sent at top level (the OpenAI client's `extra_body`) for use-case models.
    var input: JSONValue?
    var context: JSONValue?

    static func parse(_ bytes: [UInt8]) throws(GatewayError) -> ChatCompletionRequest {
        let body: JSONValue
        do {
            body = try JSONValue.parse(bytes)
        } catch {
            throw GatewayError.malformedJSON(error.reason)
        }
        guard case .object(let fields) = body else {
            throw GatewayError.invalidRequest("The request body must be a JSON object.", param: "$")
        }
        guard let model = fields["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError.invalidRequest("'model' is required and must be a string.", param: "model")
        }
        guard let rawMessages = fields["messages"]?.arrayValue else {
            throw GatewayError.invalidRequest("'messages' is required and must be an array.", param: "messages")
        }
        var messages: [ChatMessage] = []
        for (index, raw) in rawMessages.enumerated() {
            guard let role = raw["role"]?.stringValue else {
                throw GatewayError.invalidRequest("messages[\(index)].role is required and must be a string.", param: "messages[\(index)].role")
            }
            let content = raw["content"] ?? .null
            switch content {
            case .string, .array, .null: break
            default:
                throw GatewayError.invalidRequest("messages[\(index)].content must be a string, an array or null.", param: "messages[\(index)].content")
            }
            messages.append(
                ChatMessage(
                    role: role, content: content, name: raw["name"]?.stringValue, toolCalls: raw["tool_calls"],
                    toolCallID: raw["tool_call_id"]?.stringValue))
        }
        let target: Target
        if model.hasPrefix("usecase/") {
            target = .useCase(String(model.dropFirst("usecase/".count)))
        } else if let slash = model.firstIndex(of: "/"), slash != model.startIndex, model.index(after: slash) != model.endIndex {
            target = .provider(String(model[..<slash]), model: String(model[model.index(after: slash)...]))
        } else {
            throw GatewayError.unknownModel(model)
        }
        var parameters = ModelParameters()
        parameters.temperature = try number(fields, "temperature")
        parameters.topP = try number(fields, "top_p")
        let maxCompletionTokens = try number(fields, "max_completion_tokens")
        let legacyMaxTokens = try number(fields, "max_tokens")
        if let maxTokens = maxCompletionTokens ?? legacyMaxTokens {
            guard maxTokens >= 1, maxTokens.rounded() == maxTokens else {
                throw GatewayError.invalidRequest("'max_tokens' must be a positive integer.", param: "max_tokens")
            }
            parameters.maxTokens = Int(maxTokens)
        }
        switch fields["stop"] {
        case .string(let s): parameters.stop = [s]
        case .array(let items): parameters.stop = items.compactMap(\.stringValue)
        default: break
        }
        let stream = fields["stream"]?.boolValue ?? false
        return ChatCompletionRequest(
            model: model, target: target, messages: messages, stream: stream,
            includeUsage: fields["stream_options"]?["include_usage"]?.boolValue ?? false, parameters: parameters,
            tools: fields["tools"].flatMap { $0.isNull ? nil : $0 }, toolChoice: fields["tool_choice"].flatMap { $0.isNull ? nil : $0 },
            responseFormat: fields["response_format"].flatMap { $0.isNull ? nil : $0 }, input: fields["input"],
            context: fields["context"])
    }

    private static func number(_ fields: [String: JSONValue], _ name: String) throws(GatewayError) -> Double? {
        guard let value = fields[name], !value.isNull else { return nil }
        guard let number = value.numberValue else {
            throw GatewayError.invalidRequest("'\(name)' must be a number.", param: name)
        }
        return number
    }

    /// The use case input: top-level `input`, else the last user message holding a JSON object.
    func useCaseInput() throws(GatewayError) -> JSONValue {
        if let input, !input.isNull { return input }
        guard let last = messages.last(where: { $0.role == "user" }) else {
            throw GatewayError.invalidRequest("A use-case model needs a user message holding the input as a JSON object, or an 'input' field.", param: "messages")
        }
        guard let parsed = try? JSONValue.parse(last.text), case .object = parsed else {
            throw GatewayError.invalidRequest(
                "For use-case models the last user message must be the use case input as a JSON object (or send 'input' in the body).",
                param: "messages")
        }
        return parsed
    }
}
