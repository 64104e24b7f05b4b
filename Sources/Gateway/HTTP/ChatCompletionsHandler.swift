import Core
import Foundation
import Governance
import HTTPTypes
import Hummingbird
import Pipeline

/// OpenAI-compatible `POST /v1/chat/completions` and `GET /v1/models`.
///
/// `model: "usecase/<id>"` runs the use case's pipeline and answers with its output as JSON content.
/// `model: "<provider>/<model>"` is a passthrough: authenticated, routed with retries and the breaker,
/// recorded in the ledger, but otherwise the provider's answer as is.
struct ChatCompletionsHandler: Sendable {
    let runtime: GatewayRuntime

    func handle(_ request: Request) async throws -> Response {
        let token = RequestBodyReader.bearerToken(request)
        let traceparent = request.headers[.traceparent]
        let snapshot = runtime.snapshot
        let chat: ChatCompletionRequest
        let principal: Principal
        do throws(GatewayError) {
            // Authenticate before reading the body so strangers learn nothing about limits or formats.
            var probe = InvocationContext(route: .chatCompletions, bearerToken: token, useCaseID: nil, payload: .invokeBody([]))
            try await AuthenticateStage().run(&probe, snapshot.environment)
            principal = probe.principal!
            let body = try await RequestBodyReader.readJSONBody(request, limit: snapshot.configuration.server.maxBodyBytes)
            chat = try ChatCompletionRequest.parse(body)
        } catch {
            let id = await runtime.recordRejection(route: .chatCompletions, useCaseID: nil, bearerToken: token, error: error)
            throw HTTPGatewayError(error, invocationID: id)
        }
        var chatContext = chat.context
        if let subject = request.headers[.dataSubject], !subject.isEmpty {
            var fields = chatContext?.objectValue ?? [:]
            fields["data_subject"] = .string(subject)
            chatContext = .object(fields)
        }
        switch chat.target {
        case .useCase(let id):
            return try await useCase(
                id, chat: chat, context: chatContext, principal: principal, token: token, traceparent: traceparent, snapshot: snapshot)
        case .provider(let provider, let model):
            return try await passthrough(
                provider: provider, model: model, chat: chat, principal: principal, token: token, traceparent: traceparent, snapshot: snapshot)
        }
    }

    // MARK: Use-case models

    private func useCase(
        _ id: String, chat: ChatCompletionRequest, context callerContext: JSONValue?, principal: Principal, token: String?,
        traceparent: String?, snapshot: GatewayRuntime.Snapshot
    ) async throws -> Response {
        let input: JSONValue
        do throws(GatewayError) {
            // Role and scope before the body's shape, so a key learns nothing about use cases it may not call.
            try principal.authorize(.invoke, useCase: id)
            input = try chat.useCaseInput()
        } catch {
            let invocationID = await runtime.recordRejection(route: .chatCompletions, useCaseID: id, bearerToken: token, error: error)
            throw HTTPGatewayError(error, invocationID: invocationID)
        }
        var context = InvocationContext(
            route: .chatCompletions, streamed: chat.stream, bearerToken: token, useCaseID: id,
            payload: .input(input, context: callerContext),
            trace: TraceContext.incoming(traceparent, sampleRatio: snapshot.configuration.server.tracing?.sampleRatio ?? 1))
        context.principal = principal
        let finished = await runtime.run(context, snapshot: snapshot)
        if let error = finished.error {
            throw HTTPGatewayError(error, invocationID: finished.id, extraHeaders: finished.errorHeaders)
        }
        let content = finished.decision == .refused ? (finished.refusalMessage ?? "") : (finished.output ?? finished.proposedAction.map { ["action": $0] } ?? .null).compactJSONString()
        let completionID = "chatcmpl-\(finished.id)"
        let created = Int(finished.startedAt.timeIntervalSince1970)
        let usage = Self.usageJSON(finished.usage)
        let extras: JSONValue = [
            "invocation_id": .string(finished.id), "decision": .string((finished.decision ?? .failed).rawValue),
            "confidence": finished.confidence.map(JSONValue.number) ?? .null,
            "variant": (finished.answeringVariant?.name).map(JSONValue.string) ?? .null,
            "cost_usd": .number(finished.costUSD),
        ]
        if !chat.stream {
            let body: JSONValue = [
                "id": .string(completionID), "object": "chat.completion", "created": .number(Double(created)),
                "model": .string(chat.model),
                "choices": [["index": 0, "message": ["role": "assistant", "content": .string(content)], "finish_reason": "stop"]],
                "usage": usage, "gatehouse": extras,
            ]
            return JSONResponse.ok(body, headers: finished.responseHeaders)
        }
        let chunk = { (delta: JSONValue, finish: JSONValue) -> JSONValue in
            [
                "id": .string(completionID), "object": "chat.completion.chunk", "created": .number(Double(created)),
                "model": .string(chat.model), "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
            ]
        }
        var events: [JSONValue] = [
            chunk(["role": "assistant", "content": ""], .null),
            chunk(["content": .string(content)], .null),
        ]
        var last = chunk([:], "stop")
        if case .object(var fields) = last { fields["gatehouse"] = extras; last = .object(fields) }
        events.append(last)
        if chat.includeUsage {
            events.append([
                "id": .string(completionID), "object": "chat.completion.chunk", "created": .number(Double(created)),
                "model": .string(chat.model), "choices": [], "usage": usage,
            ])
        }
        let buffers = events.map { ServerSentEvents.data($0) } + [ServerSentEvents.done]
        return Response(status: .ok, headers: ServerSentEvents.headers(finished.responseHeaders), body: .init(contentsOf: buffers))
    }

    // MARK: Passthrough

    private func passthrough(
        provider: String, model: String, chat: ChatCompletionRequest, principal: Principal, token: String?, traceparent: String?,
        snapshot: GatewayRuntime.Snapshot
    ) async throws -> Response {
        let configuration = snapshot.configuration
        let environment = snapshot.environment
        let providerConfiguration = configuration.provider(named: provider)
        var context = InvocationContext(
            route: .passthrough, streamed: chat.stream, bearerToken: token, useCaseID: nil, payload: .invokeBody([]),
            trace: TraceContext.incoming(traceparent, sampleRatio: configuration.server.tracing?.sampleRatio ?? 1))
        context.principal = principal
        let started = ContinuousClock.now
        // Balanced by `record`, which every passthrough reaches exactly once (streams when they end).
        runtime.metrics.inFlight.increment()
        do throws(GatewayError) {
            try principal.authorize(.callModel)
            // Scope before existence, as for use cases: an out-of-scope key learns nothing about providers.
            guard principal.mayCall(provider: provider) else {
                throw GatewayError.forbidden("This API key is not scoped for this model.")
            }
            guard let providerConfiguration, providerConfiguration.kind != .local else {
                throw GatewayError.unknownModel(chat.model)
            }
            // Passthrough carries whatever the key may send, so the provider must be cleared for the key's clearance.
            guard providerConfiguration.mayReceive(principal.clearance) else {
                throw GatewayError.forbidden(
                    "This API key's clearance (\(principal.clearance.rawValue)) exceeds the data classes this model's provider may receive.")
            }
        } catch {
            context.fail(with: error)
            await record(&context, snapshot: snapshot)
            throw HTTPGatewayError(error, invocationID: context.id)
        }
        context.stageTimings.append(("authenticate", (ContinuousClock.now - started).milliseconds))
        context.deadline = context.start.advanced(by: .milliseconds(configuration.server.requestDeadlineMilliseconds))
        // The provider's PII action applies to what passthrough sends, and its leak check to what comes back.
        let guardStarted = ContinuousClock.now
        var guarded: PassthroughGuard
        do throws(GatewayError) {
            guarded = try PassthroughGuard(
                messages: chat.messages, action: providerConfiguration?.piiAction ?? .allow, detector: environment.guards.pii,
                holdback: configuration.guards.streamHoldback)
        } catch {
            context.fail(with: error)
            await record(&context, snapshot: snapshot)
            throw HTTPGatewayError(error, invocationID: context.id)
        }
        context.stageTimings.append(("guard_input", (ContinuousClock.now - guardStarted).milliseconds))
        if !guarded.inputTypes.isEmpty { context.guardReport.inputPII = guarded.inputTypes }
        if guarded.action != .allow { context.guardReport.piiAction = guarded.action.rawValue }
        var request = ModelRequest(
            model: model, messages: guarded.messages, parameters: chat.parameters, tools: chat.tools, toolChoice: chat.toolChoice,
            responseFormat: chat.responseFormat, traceparent: context.traceparent)
        // Admission: the key's rate limits, then the largest possible cost reserved against the key's
        // and team's budgets. With a budget, the answer is bounded by max_tokens (4096 when unset).
        let governance = environment.governance
        let caps = governance.caps(of: principal)
        if !caps.isEmpty && request.parameters.maxTokens == nil { request.parameters.maxTokens = 4096 }
        let inputTokens = TokenUsage.estimate(characters: request.promptCharacters)
        let outputTokens = request.parameters.maxTokens ?? 4096
        let rate = governance.admitRate(keyID: principal.keyID, useCase: nil, tokens: inputTokens + outputTokens)
        context.rateLimits = RateLimitSnapshot(requests: rate.requests, tokens: rate.tokens)
        do throws(GatewayError) {
            guard rate.allowed else {
                throw GatewayError(
                    status: 429, code: .rateLimited, message: "Rate limit reached for this key; retry after the delay given.",
                    retryAfterSeconds: max(1, Int(rate.retryAfter.rounded(.up))))
            }
            if !caps.isEmpty {
                let prices = providerConfiguration?.prices(forModel: model) ?? .free
                do {
                    context.reservation = try governance.budgets.reserve(
                        Nanodollars(usd: prices.cost(TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens))), caps: caps)
                } catch {
                    throw GatewayError(
                        status: 429, code: .budgetExceeded,
                        message: "The budget of this team or key is used up for the current period; the request was not sent to a model.")
                }
            }
        } catch {
            context.fail(with: error)
            await record(&context, snapshot: snapshot)
            throw HTTPGatewayError(error, invocationID: context.id, extraHeaders: context.errorHeaders)
        }
        let targets = [ProviderTarget(provider: provider, model: model)]
        if chat.stream {
            return try await streamPassthrough(
                request, targets: targets, chat: chat, context: context, guarded: guarded, outputCap: caps.isEmpty ? nil : outputTokens,
                snapshot: snapshot)
        }
        let callStarted = ContinuousClock.now
        do {
            let routed = try await environment.router.complete(request, targets: targets, deadline: context.deadline)
            context.stageTimings.append(("call_model", (ContinuousClock.now - callStarted).milliseconds))
            context.attempts = routed.attempts
            context.lastResponse = routed
            context.usage = routed.response.usage
            context.costUSD = cost(routed.response.usage, target: routed.target, configuration: configuration)
            context.decision = .answered
            let content = routed.response.content.map { guarded.checkOutput($0) }
            if !guarded.outputLeaks.isEmpty { context.guardReport.outputLeaks = guarded.outputLeaks }
            await record(&context, snapshot: snapshot)
            // Written in OpenAI's member order without building dictionaries: this is every passthrough's answer.
            var json = JSONWriter(capacity: 384 + (content?.utf8.count ?? 0))
            json.beginObject()
            json.member("id", "chatcmpl-\(context.id)")
            json.member("object", "chat.completion")
            json.member("created", integer: Int(context.startedAt.timeIntervalSince1970))
            json.member("model", chat.model)
            json.key("choices")
            json.beginArray()
            json.beginObject()
            json.member("index", integer: 0)
            json.key("message")
            json.beginObject()
            json.member("role", "assistant")
            json.key("content")
            if let content { json.string(content) } else { json.null() }
            if let toolCalls = routed.response.toolCalls { json.member("tool_calls", toolCalls) }
            json.endObject()
            json.member("finish_reason", routed.response.finishReason ?? "stop")
            json.endObject()
            json.endArray()
            json.member("usage", Self.usageJSON(routed.response.usage))
            json.endObject()
            return JSONResponse.ok(bytes: json.bytes, headers: context.responseHeaders)
        } catch {
            throw await routingFailed(error, context: &context, callStarted: callStarted, snapshot: snapshot)
        }
    }

    /// Records a passthrough whose provider chain failed and returns the error response to throw.
    private func routingFailed(
        _ failure: RoutingFailure, context: inout InvocationContext, callStarted: ContinuousClock.Instant, snapshot: GatewayRuntime.Snapshot
    ) async -> HTTPGatewayError {
        context.stageTimings.append(("call_model", (ContinuousClock.now - callStarted).milliseconds))
        context.attempts = failure.attempts
        context.fail(with: failure.gatewayError)
        await record(&context, snapshot: snapshot)
        return HTTPGatewayError(failure.gatewayError, invocationID: context.id)
    }

    /// Streams a passthrough answer. Failover happens only before the first token (inside the router);
    /// after it, a cut or stalled upstream ends the stream with an error event, and the ledger says so.
    private func streamPassthrough(
        _ request: ModelRequest, targets: [ProviderTarget], chat: ChatCompletionRequest, context initial: InvocationContext, guarded: PassthroughGuard,
        outputCap: Int?, snapshot: GatewayRuntime.Snapshot
    ) async throws -> Response {
        var context = initial
        let callStarted = ContinuousClock.now
        let routed: RoutedStream
        do {
            routed = try await snapshot.environment.router.stream(request, targets: targets, deadline: context.deadline)
        } catch {
            throw await routingFailed(error, context: &context, callStarted: callStarted, snapshot: snapshot)
        }
        context.attempts = routed.attempts
        let completionID = "chatcmpl-\(context.id)"
        let created = Double(Int(context.startedAt.timeIntervalSince1970))
        let handler = self
        let promptCharacters = request.promptCharacters
        let opened = context
        let body = ResponseBody { writer in
            var context = opened
            // Text is held back by a bounded window so personal data split across chunks is seen whole.
            var redactor = guarded.streamingRedactor()
            var usage: TokenUsage?
            var characters = 0
            var outcome = "completed"
            var failure: GatewayError?
            func chunk(_ delta: JSONValue, finish: JSONValue = .null) -> ByteBuffer {
                ServerSentEvents.data([
                    "id": .string(completionID), "object": "chat.completion.chunk", "created": .number(created),
                    "model": .string(chat.model), "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
                ])
            }
            do {
                try await writer.write(chunk(["role": "assistant", "content": ""]))
                events: for try await event in routed.events {
                    switch event {
                    case .textDelta(let text):
                        characters += text.count
                        // The reservation covers `outputCap` tokens: a provider that runs past it is cut off.
                        if let outputCap, TokenUsage.estimate(characters: characters) > outputCap {
                            outcome = "stopped_at_budget"
                            let error = GatewayError(
                                status: 429, code: .budgetExceeded,
                                message: "The answer reached the \(outputCap) tokens reserved against the budget; the stream was stopped.")
                            failure = error
                            try await writer.write(ServerSentEvents.data(error.jsonBody))
                            break events
                        }
                        var released = text
                        if var active = redactor {
                            released = active.push(text)
                            redactor = active
                        }
                        if !released.isEmpty { try await writer.write(chunk(["content": .string(released)])) }
                    case .toolCallDelta(let calls):
                        try await writer.write(chunk(["tool_calls": calls]))
                    case .finish(let reason):
                        if var pending = redactor {
                            let rest = pending.finish()
                            redactor = pending
                            if !rest.isEmpty { try await writer.write(chunk(["content": .string(rest)])) }
                        }
                        try await writer.write(chunk([:], finish: .string(reason ?? "stop")))
                    case .usage(let reported):
                        usage = reported
                    }
                }
                if failure == nil, var active = redactor {
                    let rest = active.finish()
                    redactor = active
                    if !rest.isEmpty { try await writer.write(chunk(["content": .string(rest)])) }
                }
                let finalUsage = usage ?? TokenUsage(
                    inputTokens: TokenUsage.estimate(characters: promptCharacters), outputTokens: TokenUsage.estimate(characters: characters), estimated: true)
                if chat.includeUsage {
                    try await writer.write(ServerSentEvents.data([
                        "id": .string(completionID), "object": "chat.completion.chunk", "created": .number(created),
                        "model": .string(chat.model), "choices": [], "usage": Self.usageJSON(finalUsage),
                    ]))
                }
                if failure == nil { try await writer.write(ServerSentEvents.done) }
            } catch let error as ProviderError {
                outcome = "upstream_\(error)"
                let gatewayError = RoutingFailure(lastError: error, attempts: [], deadlineExceeded: false).gatewayError
                failure = gatewayError
                try? await writer.write(ServerSentEvents.data(gatewayError.jsonBody))
            } catch {
                outcome = "client_disconnected"
            }
            context.stageTimings.append(("call_model", (ContinuousClock.now - callStarted).milliseconds))
            if let replaced = redactor?.replaced, !replaced.isEmpty {
                context.guardReport.outputLeaks = Dictionary(uniqueKeysWithValues: replaced.map { ($0.key.rawValue, $0.value) })
            }
            context.streamOutcome = outcome
            context.lastResponse = RoutedResponse(
                response: ModelResponse(content: nil, usage: usage ?? TokenUsage(), model: routed.target.model), target: routed.target,
                attempts: routed.attempts)
            context.usage = usage ?? TokenUsage(
                inputTokens: TokenUsage.estimate(characters: promptCharacters), outputTokens: TokenUsage.estimate(characters: characters), estimated: true)
            context.costUSD = handler.cost(context.usage, target: routed.target, configuration: snapshot.configuration)
            if let failure {
                context.error = failure
                context.decision = .failed
            } else {
                context.decision = .answered
            }
            await handler.record(&context, snapshot: snapshot)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: ServerSentEvents.headers(context.responseHeaders), body: body)
    }

    // MARK: Models

    /// `GET /v1/models`: the use cases in the key's scope and the provider models its variants use.
    func models(_ request: Request) async throws -> Response {
        let principal = try await runtime.authenticate(request)
        do throws(GatewayError) { try principal.authorize(.listModels) } catch { throw HTTPGatewayError(error) }
        var ids: [String] = runtime.configuration.useCases.filter { principal.mayInvoke(useCase: $0.id) }.map { "usecase/\($0.id)" }
        var providerModels = Set<String>()
        for useCase in runtime.configuration.useCases {
            for variant in useCase.variants {
                guard case .model(let model) = variant.engine else { continue }
                for target in [ProviderTarget(provider: variant.provider, model: model.model)] + model.failover
                where principal.mayCall(provider: target.provider) {
                    providerModels.insert("\(target.provider)/\(target.model)")
                }
            }
        }
        ids += providerModels.sorted()
        let created = Double(Int(Date().timeIntervalSince1970))
        return JSONResponse.ok([
            "object": "list",
            "data": .array(ids.map { ["id": .string($0), "object": "model", "created": .number(created), "owned_by": "gatehouse"] }),
        ])
    }

    // MARK: Helpers

    func cost(_ usage: TokenUsage, target: ProviderTarget, configuration: GatewayConfiguration) -> Double {
        configuration.provider(named: target.provider)?.prices(forModel: target.model).cost(usage) ?? 0
    }

    func record(_ context: inout InvocationContext, snapshot: GatewayRuntime.Snapshot) async {
        await RecordStage().record(&context, snapshot.environment)
        if context.route == .passthrough { runtime.metrics.inFlight.decrement() }
        runtime.log(context, knownModels: snapshot.knownModels)
    }

    static func usageJSON(_ usage: TokenUsage) -> JSONValue {
        [
            "prompt_tokens": .number(Double(usage.inputTokens)), "completion_tokens": .number(Double(usage.outputTokens)),
            "total_tokens": .number(Double(usage.inputTokens + usage.outputTokens)),
        ]
    }
}

/// Server-sent events framing as OpenAI streams it.
enum ServerSentEvents {
    static func data(_ value: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(value.compactJSONData())
        buffer.writeString("\n\n")
        return buffer
    }

    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    static func headers(_ extra: HTTPFields) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        headers.append(contentsOf: extra)
        return headers
    }
}
