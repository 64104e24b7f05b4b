import Foundation
/// One message of a chat, in OpenAI's shape (the lingua franca; other adapters convert).
public struct ChatMessage: Sendable, Hashable {
    public var role: String
    /// A string, an array of content parts, or null (assistant tool calls).
    public var content: JSONValue
    public var name: String?
    public var toolCalls: JSONValue?
    public var toolCallID: String?

    public init(role: String, content: JSONValue, name: String? = nil, toolCalls: JSONValue? = nil, toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: .string(text)) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: .string(text)) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: .string(text)) }

    /// The text of the message: the string content, or the text parts joined.
    public var text: String {
        switch content {
        case .string(let s): return s
        case .array(let parts):
            return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        default: return ""
        }
    }
}

/// A request to a model, provider-neutral.
public struct ModelRequest: Sendable {
    public var model: String
    public var messages: [ChatMessage]
    public var parameters: ModelParameters
    /// OpenAI-format tool definitions, passed through.
    public var tools: JSONValue?
    public var toolChoice: JSONValue?
    /// OpenAI-format `response_format` object, passed through.
    public var responseFormat: JSONValue?
    /// The use case's structured input, for engines that read fields rather than prompts (the local engine).
    public var input: JSONValue?
    /// W3C trace context to propagate upstream.
    public var traceparent: String?

    public init(
        model: String, messages: [ChatMessage], parameters: ModelParameters = .init(), tools: JSONValue? = nil,
        toolChoice: JSONValue? = nil, responseFormat: JSONValue? = nil, input: JSONValue? = nil, traceparent: String? = nil
    ) {
        self.model = model
        self.messages = messages
        self.parameters = parameters
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        self.input = input
        self.traceparent = traceparent
    }

    /// Characters of all message text, for token estimates.
    public var promptCharacters: Int {
        messages.reduce(0) { $0 + $1.text.count }
    }
}

/// A complete model answer.
public struct ModelResponse: Sendable {
    public var content: String?
    public var toolCalls: JSONValue?
    public var finishReason: String?
    public var usage: TokenUsage
    public var model: String
    /// Engines that answer with structured output directly (the local engine) set this instead of `content`.
    public var structuredOutput: JSONValue?
    /// Calibrated confidence in [0, 1] when the engine reports one.
    public var confidence: Double?

    public init(
        content: String?, toolCalls: JSONValue? = nil, finishReason: String? = "stop", usage: TokenUsage, model: String,
        structuredOutput: JSONValue? = nil, confidence: Double? = nil
    ) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.model = model
        self.structuredOutput = structuredOutput
        self.confidence = confidence
    }
}

/// One event of a streamed answer.
public enum ModelStreamEvent: Sendable, Hashable {
    case textDelta(String)
    /// OpenAI-format `tool_calls` delta array, passed through.
    case toolCallDelta(JSONValue)
    case finish(reason: String?)
    case usage(TokenUsage)
}

public typealias ModelEventStream = AsyncThrowingStream<ModelStreamEvent, any Error>

/// Why one attempt at a provider failed. Decides retrying and the caller's HTTP status.
public enum ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    case connection(String)
    case timeout
    case http(status: Int, retryAfterSeconds: Double?, message: String)
    case malformedResponse(String)
    case circuitOpen
    case saturated
    case streamStalled
    case streamCut(String)
    case notConfigured(String)

    /// Worth another attempt at the same provider.
    public var isRetryable: Bool {
        switch self {
        case .connection, .timeout: return true
        case .http(let status, _, _): return status == 429 || status == 408 || status >= 500
        default: return false
        }
    }

    /// Counts against the provider's circuit breaker (the caller's own bad requests do not).
    public var isProviderFault: Bool {
        switch self {
        case .connection, .timeout, .malformedResponse, .streamStalled, .streamCut: return true
        case .http(let status, _, _): return status == 429 || status >= 500
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .connection(let reason): return "connection failed: \(reason)"
        case .timeout: return "attempt timed out"
        case .http(let status, _, let message): return "HTTP \(status)\(message.isEmpty ? "" : ": \(message)")"
        case .malformedResponse(let reason): return "malformed response: \(reason)"
        case .circuitOpen: return "circuit breaker open"
        case .saturated: return "provider at its concurrency cap"
        case .streamStalled: return "stream stalled"
        case .streamCut(let reason): return "stream cut: \(reason)"
        case .notConfigured(let reason): return "not configured: \(reason)"
        }
    }
}

/// A single model endpoint. One call is one attempt; retries and failover live in the router.
public protocol ModelProvider: Sendable {
    var name: String { get }
    func complete(_ request: ModelRequest, timeout: Duration) async throws -> ModelResponse
    /// Opens a stream. Errors before the first event are thrown here; later ones end the stream.
    func stream(_ request: ModelRequest, timeout: Duration) async throws -> ModelEventStream
}

/// One attempt as the ledger records it.
public struct AttemptRecord: Sendable, Hashable, Codable {
    public var provider: String
    public var model: String
    public var milliseconds: Double
    /// `nil` on success.
    public var error: String?
    /// The attempt's span (its id went to the provider in `traceparent`) and its parent (the stage).
    public var spanID: String?
    public var parentSpanID: String?
    /// Wall-clock start, for the span.
    public var startedAt: Date?

    public init(
        provider: String, model: String, milliseconds: Double, error: String?, spanID: String? = nil, parentSpanID: String? = nil,
        startedAt: Date? = nil
    ) {
        self.provider = provider
        self.model = model
        self.milliseconds = milliseconds
        self.error = error
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.startedAt = startedAt
    }
}

/// The answer of a routed call: which target answered and every attempt made.
public struct RoutedResponse: Sendable {
    public var response: ModelResponse
    public var target: ProviderTarget
    public var attempts: [AttemptRecord]
    public init(response: ModelResponse, target: ProviderTarget, attempts: [AttemptRecord]) {
        self.response = response
        self.target = target
        self.attempts = attempts
    }
}

/// A routed stream: the first event has already arrived (failover is over once it has).
public struct RoutedStream: Sendable {
    public var events: ModelEventStream
    public var target: ProviderTarget
    public var attempts: [AttemptRecord]
    public init(events: ModelEventStream, target: ProviderTarget, attempts: [AttemptRecord]) {
        self.events = events
        self.target = target
        self.attempts = attempts
    }
}

/// Every target failed, or the deadline passed.
public struct RoutingFailure: Error, Sendable {
    public var lastError: ProviderError
    public var attempts: [AttemptRecord]
    public var deadlineExceeded: Bool
    public init(lastError: ProviderError, attempts: [AttemptRecord], deadlineExceeded: Bool) {
        self.lastError = lastError
        self.attempts = attempts
        self.deadlineExceeded = deadlineExceeded
    }

    /// The caller-facing error: 504 past the deadline, 503 when no provider could take the call, 502 otherwise.
    public var gatewayError: GatewayError {
        if deadlineExceeded {
            return GatewayError(status: 504, code: .deadlineExceeded, message: "The request deadline passed before a provider answered.")
        }
        switch lastError {
        case .circuitOpen, .saturated, .connection, .notConfigured:
            return GatewayError(status: 503, code: .providerUnavailable, message: "No provider is available to answer: \(lastError).", retryAfterSeconds: 1)
        case .timeout:
            return GatewayError(status: 504, code: .deadlineExceeded, message: "The provider did not answer in time.")
        case .http(let status, let retryAfter, _) where status == 429:
            return GatewayError(status: 429, code: .rateLimited, message: "The provider is rate limiting requests.", retryAfterSeconds: retryAfter.map { Int($0.rounded(.up)) } ?? 1)
        case .http(let status, _, let message) where status >= 400 && status < 500 && status != 401 && status != 403:
            return GatewayError(status: 400, code: .upstreamError, message: "The provider rejected the request (HTTP \(status)): \(message)")
        case .http(let status, _, _):
            return GatewayError(status: 502, code: .upstreamError, message: "The provider failed (HTTP \(status)).")
        case .malformedResponse, .streamStalled, .streamCut:
            return GatewayError(status: 502, code: .badUpstreamResponse, message: "The provider sent a bad answer: \(lastError).")
        }
    }
}

/// Calls models with retries, circuit breakers and failover over an ordered list of targets.
public protocol ModelRouter: Sendable {
    func complete(_ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant) async throws(RoutingFailure) -> RoutedResponse
    func stream(_ request: ModelRequest, targets: [ProviderTarget], deadline: ContinuousClock.Instant) async throws(RoutingFailure) -> RoutedStream
}
