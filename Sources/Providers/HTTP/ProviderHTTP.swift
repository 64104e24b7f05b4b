import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// HTTP plumbing shared by the adapters: timeouts, error mapping, and turning an SSE body into a
/// model event stream that fails over only before its first event.
enum ProviderHTTP {
    /// Runs `body`, throwing `.timeout` if it takes longer than `duration`; the body is cancelled.
    ///
    /// The timer is an event-loop task, not a sleeping Swift task: a task group with a sleeper cost two
    /// child tasks, a dispatch timer and a wake-up to cancel the sleeper on every upstream call.
    static func withTimeout<T: Sendable>(
        _ duration: Duration, on loops: any EventLoopGroup, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let work = Task { try await body() }
        let expired = TimeoutFlag()
        let timer = loops.any().scheduleTask(in: .nanoseconds(Int64(duration.milliseconds * 1_000_000))) {
            expired.set()
            work.cancel()
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            do {
                return try await work.value
            } catch {
                if expired.isSet { throw ProviderError.timeout }
                throw error
            }
        } onCancel: {
            work.cancel()
        }
    }

    final class TimeoutFlag: Sendable {
        private let state = Mutex(false)
        func set() { state.withLock { $0 = true } }
        var isSet: Bool { state.withLock { $0 } }
    }

    /// A JSON POST to `url`; the body (JSON text) is set only when given: `executeJSON` takes it
    /// separately, since the pooled client sends it itself.
    static func request(url: String, headers: [(String, String)], body: [UInt8]? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Gatehouse/0.1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return request
    }

    /// Executes and collects a JSON response within `timeout`. Non-2xx become `.http` with the upstream message.
    ///
    /// Goes through the pooled HTTP/1.1 client, whose deadline covers the whole exchange (connect,
    /// head and body) with one timer on the connection's event loop.
    static func executeJSON(
        _ upstream: UpstreamConnectionPool, _ request: HTTPClientRequest, body bytes: [UInt8], timeout: Duration
    ) async throws -> JSONValue {
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.milliseconds * 1_000_000))
        let response: UpstreamConnectionPool.Response
        do {
            response = try await upstream.post(
                url: request.url, headers: request.headers, body: ByteBuffer(bytes: bytes), deadline: deadline, maxBodyBytes: maxResponseBytes)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw mapTransportError(error)
        }
        try checkStatus(response.status, headers: response.headers, body: response.body, request: request)
        guard response.body.readableBytes > 0 else { throw ProviderError.malformedResponse("body is empty") }
        do {
            return try JSONValue.parse(response.body.readableBytesView)
        } catch {
            throw ProviderError.malformedResponse("body is not JSON")
        }
    }

    /// The largest answer body read from a provider.
    static let maxResponseBytes = 32 << 20

    static func checkStatus(_ status: Int, headers: HTTPHeaders, body: ByteBuffer?, request: HTTPClientRequest) throws {
        guard (200..<300).contains(status) else {
            var message = ""
            if let body, let json = try? JSONValue.parse(body.readableBytesView) {
                message = json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["message"]?.stringValue ?? ""
            }
            throw ProviderError.http(
                status: status, retryAfterSeconds: retryAfter(headers.first(name: "retry-after")),
                message: String(scrubCredentials(message, sentWith: request).prefix(300)))
        }
    }

    /// Header names whose values are credentials.
    static let credentialHeaders: Set<String> = ["authorization", "x-api-key", "api-key", "proxy-authorization"]

    /// An upstream error message can quote what it received (some echo the key they rejected); the
    /// message reaches callers and logs, so every credential this request carried is cut out first.
    static func scrubCredentials(_ message: String, sentWith request: HTTPClientRequest) -> String {
        var scrubbed = message
        for (name, value) in request.headers where credentialHeaders.contains(name.lowercased()) {
            var secrets = [value]
            if let space = value.firstIndex(of: " ") { secrets.append(String(value[value.index(after: space)...])) }
            for secret in secrets where secret.count >= 4 {
                scrubbed = scrubbed.replacingOccurrences(of: secret, with: "[REDACTED]")
            }
        }
        // A fragment long enough to matter is still a leak: drop the message if any 12-character run of a secret survives.
        for (name, value) in request.headers where credentialHeaders.contains(name.lowercased()) {
            let secret = value.split(separator: " ").last.map(String.init) ?? value
            guard secret.count >= 12 else { continue }
            let characters = Array(secret)
            for start in 0...(characters.count - 12) where scrubbed.contains(String(characters[start..<start + 12])) {
                return "(upstream message withheld: it quoted a credential)"
            }
        }
        return scrubbed
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String?) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSinceNow)
    }

    /// Transport errors without URLs or headers in the message (they could carry credentials).
    static func mapTransportError(_ error: any Error) -> ProviderError {
        if let providerError = error as? ProviderError { return providerError }
        if error is CancellationError { return .timeout }
        if let transportError = error as? UpstreamConnectionPool.TransportError {
            switch transportError {
            case .deadlineExceeded: return .timeout
            case .closedBeforeAnswer, .closedDuringAnswer: return .connection("remote closed the connection")
            case .connectFailed: return .connection("could not connect")
            case .tlsFailed: return .connection("TLS handshake failed")
            case .answerTooLarge: return .malformedResponse("body larger than 32 MiB")
            case .invalidURL: return .notConfigured("the provider's URL is invalid")
            }
        }
        if let clientError = error as? HTTPClientError {
            if clientError == .deadlineExceeded || clientError == .readTimeout || clientError == .connectTimeout { return .timeout }
            if clientError == .remoteConnectionClosed { return .connection("remote closed the connection") }
            return .connection("HTTP client error")
        }
        return .connection(String(describing: type(of: error)))
    }

    /// Opens a streaming request, waits for its first model event (errors before it are thrown, so the
    /// router can fail over), then delivers the rest. A gap longer than `stall` ends it with `.streamStalled`;
    /// an end without the protocol's final marker ends it with `.streamCut`.
    static func openStream(
        _ client: HTTPClient, _ request: HTTPClientRequest, timeout: Duration, stall: Duration,
        decoder: @escaping @Sendable () -> any StreamDecoder
    ) async throws -> ModelEventStream {
        let response: HTTPClientResponse = try await withTimeout(timeout, on: client.eventLoopGroup) {
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.milliseconds * 1_000_000)))
            } catch {
                throw mapTransportError(error)
            }
            if !(200..<300).contains(Int(response.status.code)) {
                let body = try? await response.body.collect(upTo: 1 << 20)
                try checkStatus(Int(response.status.code), headers: response.headers, body: body, request: request)
            }
            return response
        }
        let (events, continuation) = ModelEventStream.makeStream(bufferingPolicy: .unbounded)
        let gate = FirstEventGate()
        let firstEventDeadline = timeout
        let producer = Task {
            let lastActivity = ActivityClock()
            let startedAt = ContinuousClock.now
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // Watchdog: the first event must come within the attempt timeout, later ones within the stall limit.
                        while true {
                            try await Task.sleep(for: .milliseconds(20))
                            let now = ContinuousClock.now
                            if !gate.isOpen && now - startedAt > firstEventDeadline { throw ProviderError.timeout }
                            if gate.isOpen && now - lastActivity.last > stall { throw ProviderError.streamStalled }
                        }
                    }
                    group.addTask {
                        var decoder = decoder()
                        var parser = ServerSentEventParser()
                        var finished = false
                        do {
                            for try await buffer in response.body {
                                lastActivity.touch()
                                for event in parser.feed(buffer.readableBytesView) {
                                    for output in try decoder.decode(event) {
                                        if case .finished = output { finished = true; break }
                                        if case .event(let modelEvent) = output {
                                            gate.open()
                                            continuation.yield(modelEvent)
                                        }
                                    }
                                    if finished { break }
                                }
                                if finished { break }
                            }
                        } catch let error as ProviderError {
                            throw error
                        } catch is CancellationError {
                            throw CancellationError()
                        } catch {
                            throw ProviderError.streamCut("connection lost")
                        }
                        if !finished {
                            for event in parser.finish() {
                                for output in try decoder.decode(event) {
                                    if case .finished = output { finished = true }
                                    if case .event(let modelEvent) = output { gate.open(); continuation.yield(modelEvent) }
                                }
                            }
                        }
                        if !finished { throw ProviderError.streamCut("upstream closed the stream before its end marker") }
                    }
                    try await group.next()
                    group.cancelAll()
                }
                continuation.finish()
                gate.fail(.streamCut("stream ended without content"))
            } catch {
                let providerError = (error as? ProviderError) ?? .streamCut("cancelled")
                gate.fail(providerError)
                continuation.finish(throwing: providerError)
            }
        }
        continuation.onTermination = { _ in producer.cancel() }
        do {
            try await gate.wait()
        } catch {
            producer.cancel()
            throw error
        }
        return events
    }
}

/// When the last bytes of a stream arrived (shared by the reader and its watchdog).
final class ActivityClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var last: ContinuousClock.Instant { instant.withLock { $0 } }
    func touch() { instant.withLock { $0 = .now } }
}

/// What a provider-specific decoder makes of one SSE event.
enum StreamOutput: Sendable {
    case event(ModelStreamEvent)
    case finished
}

protocol StreamDecoder: Sendable {
    mutating func decode(_ event: ServerSentEventParser.Event) throws -> [StreamOutput]
}

/// Resumes the opener once: with success at the first model event, or with the error that came first.
final class FirstEventGate: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Void, any Error>?)
        case open
        case failed(ProviderError)
    }

    private let state = Mutex<State>(.waiting(nil))

    var isOpen: Bool {
        state.withLock { if case .open = $0 { return true } else { return false } }
    }

    func open() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .open
            return continuation
        }
        waiter?.resume()
    }

    func fail(_ error: ProviderError) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .failed(error)
            return continuation
        }
        waiter?.resume(throwing: error)
    }

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let immediate: Result<Void, ProviderError>? = state.withLock { state in
                switch state {
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                case .open: return .success(())
                case .failed(let error): return .failure(error)
                }
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }
}
