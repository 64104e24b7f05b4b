import Core
import Foundation
import Hummingbird
import Logging
import Synchronization

/// What the mock provider does with one request.
public enum MockBehaviour: Sendable {
    /// A normal answer with this text content.
    case reply(String, usage: TokenUsage? = TokenUsage(inputTokens: 12, outputTokens: 6))
    /// A non-2xx answer, optionally with `Retry-After`.
    case status(Int, body: String = #"{"error":{"message":"mock failure"}}"#, retryAfter: String? = nil)
    /// Waits, then answers with the next behaviour (or a default reply).
    case stall(seconds: Double, then: String = "late")
    /// 200 and the first half of a normal answer at once, the rest after `seconds` (a provider
    /// that stalls mid-body: the attempt timeout must cover the body, not only the head).
    case stallBody(seconds: Double, text: String = "slow body")
    /// 200 with a body that is not JSON.
    case malformed
    /// A streamed answer in these chunks; `cutAfter` closes the connection after that many chunks without the end marker.
    case stream([String], cutAfter: Int? = nil)
    /// Streams `afterChunks` chunks, then goes silent for `seconds` before finishing.
    case streamStall(afterChunks: Int, seconds: Double)
    /// A tool call answer.
    case toolCall(name: String, arguments: String)
    /// A non-2xx answer whose error message quotes the credential headers it received, as some
    /// providers do when they reject a key (used to check that the gateway never passes them on).
    case echoCredentials(status: Int)
    /// A normal answer whose usage is what the gateway reserves for the request: prompt tokens
    /// estimated as characters / 4 over the message contents, completion tokens = `max_tokens`.
    case replyMatchingReservation(String)
}

/// One request the mock received.
public struct MockRequest: Sendable {
    public var path: String
    public var headers: [String: String]
    public var body: JSONValue
}

/// A real HTTP server on loopback that speaks OpenAI chat completions (`/v1/chat/completions`) and
/// Anthropic messages (`/v1/messages`), and misbehaves on demand.
public final class MockProviderServer: Sendable {
    private let queue = Mutex<[MockBehaviour]>([])
    private let received = Mutex<[MockRequest]>([])
    public let defaultBehaviour: MockBehaviour

    public init(default behaviour: MockBehaviour = .reply("ok")) {
        self.defaultBehaviour = behaviour
    }

    /// Queues behaviours, consumed one per request.
    public func enqueue(_ behaviours: MockBehaviour...) {
        queue.withLock { $0.append(contentsOf: behaviours) }
    }

    public var requests: [MockRequest] { received.withLock { $0 } }
    public var requestCount: Int { received.withLock { $0.count } }


    func next() -> MockBehaviour {
        queue.withLock { $0.isEmpty ? defaultBehaviour : $0.removeFirst() }
    }

    /// Starts the server on an ephemeral port, runs `body` with its base URL (`http://127.0.0.1:PORT/v1`), stops it.
    public func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/v1/chat/completions") { request, context in try await self.handle(request, context: context, anthropic: false) }
        router.post("/v1/messages") { request, context in try await self.handle(request, context: context, anthropic: true) }
        return try await LoopbackServer.serve(router, name: "mock-provider") { port in try await body("http://127.0.0.1:\(port)/v1") }
    }

    private func handle(_ request: Request, context: some RequestContext, anthropic: Bool) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 << 20)
        let json = (try? JSONValue.parse(buffer.readableBytesView)) ?? .null
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        received.withLock { $0.append(MockRequest(path: request.uri.path, headers: headers, body: json)) }
        let streaming = json["stream"]?.boolValue ?? false
        let model = json["model"]?.stringValue ?? "mock"
        var behaviour = next()
        if case .stall(let seconds, let text) = behaviour {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            behaviour = .reply(text)
        }
        switch behaviour {
        case .status(let code, let body, let retryAfter):
            var fields: HTTPFields = [.contentType: "application/json"]
            if let retryAfter { fields[.retryAfter] = retryAfter }
            return Response(status: .init(code: code), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .malformed:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"choices\": [oops")))
        case .stallBody(let seconds, let text):
            let full = Array((anthropic ? anthropicReply(text: text, model: model, usage: nil) : openAIReply(text: text, model: model, usage: nil)).compactJSONBytes())
            let half = full.count / 2
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: full[..<half]))
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                try await writer.write(ByteBuffer(bytes: full[half...]))
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: String(full.count)], body: body)
        case .reply(let text, let usage):
            if streaming { return streamResponse(chunks: chunked(text), cutAfter: nil, stallAfter: nil, anthropic: anthropic, model: model, usage: usage) }
            return jsonResponse(anthropic ? anthropicReply(text: text, model: model, usage: usage) : openAIReply(text: text, model: model, usage: usage))
        case .toolCall(let name, let arguments):
            if anthropic {
                return jsonResponse([
                    "id": "msg_1", "type": "message", "role": "assistant", "model": .string(model), "stop_reason": "tool_use",
                    "content": [["type": "tool_use", "id": "toolu_1", "name": .string(name), "input": (try? JSONValue.parse(arguments)) ?? [:]]],
                    "usage": ["input_tokens": 10, "output_tokens": 5],
                ])
            }
            return jsonResponse([
                "id": "chatcmpl-mock", "object": "chat.completion", "created": 1, "model": .string(model),
                "choices": [[
                    "index": 0, "finish_reason": "tool_calls",
                    "message": ["role": "assistant", "content": .null, "tool_calls": [["id": "call_1", "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]]],
                ]],
                "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
            ])
        case .stream(let chunks, let cutAfter):
            return streamResponse(chunks: chunks, cutAfter: cutAfter, stallAfter: nil, anthropic: anthropic, model: model, usage: TokenUsage(inputTokens: 12, outputTokens: 6))
        case .streamStall(let afterChunks, let seconds):
            return streamResponse(chunks: ["one ", "two ", "three ", "four"], cutAfter: nil, stallAfter: (afterChunks, seconds), anthropic: anthropic, model: model, usage: nil)
        case .replyMatchingReservation(let text):
            let characters = json["messages"]?.arrayValue?.reduce(0) { $0 + ($1["content"]?.stringValue?.count ?? 0) } ?? 0
            let usage = TokenUsage(inputTokens: TokenUsage.estimate(characters: characters), outputTokens: Int(json["max_tokens"]?.numberValue ?? 1024))
            return jsonResponse(anthropic ? anthropicReply(text: text, model: model, usage: usage) : openAIReply(text: text, model: model, usage: usage))
        case .echoCredentials(let code):
            let quoted = [headers["authorization"], headers["x-api-key"]].compactMap { $0 }.joined(separator: ", ")
            let body: JSONValue = ["error": ["message": .string("Incorrect API key provided: \(quoted). You can find your key at https://example.com.")]]
            return Response(status: .init(code: code), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: body.compactJSONData())))
        case .stall:
            fatalError("unreachable: stall was resolved above")
        }
    }

    private func chunked(_ text: String) -> [String] {
        stride(from: 0, to: text.count, by: 4).map { start in
            let begin = text.index(text.startIndex, offsetBy: start)
            let end = text.index(begin, offsetBy: min(4, text.count - start))
            return String(text[begin..<end])
        }
    }

    private func jsonResponse(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(value.compactJSONData()))))
    }

    private func openAIReply(text: String, model: String, usage: TokenUsage?) -> JSONValue {
        var reply: [String: JSONValue] = [
            "id": "chatcmpl-mock", "object": "chat.completion", "created": 1, "model": .string(model),
            "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]],
        ]
        if let usage {
            reply["usage"] = ["prompt_tokens": .number(Double(usage.inputTokens)), "completion_tokens": .number(Double(usage.outputTokens)), "total_tokens": .number(Double(usage.inputTokens + usage.outputTokens))]
        }
        return .object(reply)
    }

    private func anthropicReply(text: String, model: String, usage: TokenUsage?) -> JSONValue {
        [
            "id": "msg_mock", "type": "message", "role": "assistant", "model": .string(model), "stop_reason": "end_turn",
            "content": [["type": "text", "text": .string(text)]],
            "usage": ["input_tokens": .number(Double(usage?.inputTokens ?? 0)), "output_tokens": .number(Double(usage?.outputTokens ?? 0))],
        ]
    }

    private func streamResponse(
        chunks: [String], cutAfter: Int?, stallAfter: (Int, Double)?, anthropic: Bool, model: String, usage: TokenUsage?
    ) -> Response {
        @Sendable func event(_ value: JSONValue, name: String? = nil) -> ByteBuffer {
            var text = name.map { "event: \($0)\n" } ?? ""
            text += "data: " + value.compactJSONString() + "\n\n"
            return ByteBuffer(string: text)
        }
        let body = ResponseBody { writer in
            if anthropic {
                try await writer.write(event(["type": "message_start", "message": ["id": "msg_1", "model": .string(model), "usage": ["input_tokens": .number(Double(usage?.inputTokens ?? 0)), "output_tokens": 0]]], name: "message_start"))
                try await writer.write(event(["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]], name: "content_block_start"))
            }
            for (index, chunk) in chunks.enumerated() {
                if let cutAfter, index >= cutAfter {
                    // Simulate a dropped connection: end the body without the protocol's end marker.
                    try await writer.finish(nil)
                    return
                }
                if let (after, seconds) = stallAfter, index == after {
                    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                }
                if anthropic {
                    try await writer.write(event(["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": .string(chunk)]], name: "content_block_delta"))
                } else {
                    try await writer.write(event(["id": "c", "object": "chat.completion.chunk", "created": 1, "model": .string(model), "choices": [["index": 0, "delta": ["content": .string(chunk)], "finish_reason": .null]]]))
                }
            }
            if anthropic {
                try await writer.write(event(["type": "message_delta", "delta": ["stop_reason": "end_turn"], "usage": ["output_tokens": .number(Double(usage?.outputTokens ?? 0))]], name: "message_delta"))
                try await writer.write(event(["type": "message_stop"], name: "message_stop"))
            } else {
                try await writer.write(event(["id": "c", "object": "chat.completion.chunk", "created": 1, "model": .string(model), "choices": [["index": 0, "delta": [:], "finish_reason": "stop"]]]))
                if let usage {
                    try await writer.write(event(["id": "c", "object": "chat.completion.chunk", "created": 1, "model": .string(model), "choices": [], "usage": ["prompt_tokens": .number(Double(usage.inputTokens)), "completion_tokens": .number(Double(usage.outputTokens))]]))
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: body)
    }
}
