import AsyncHTTPClient
import Core
import Foundation
import GatehouseTesting
import Synchronization
import Testing

@testable import Providers

@Suite struct ResilientModelRouterTests {
    /// A provider that answers from a script, for router logic without HTTP.
    final class ScriptedProvider: ModelProvider {
        let name: String
        let script: Mutex<[Result<String, ProviderError>]>
        let calls = Mutex(0)
        init(_ name: String, _ script: [Result<String, ProviderError>]) {
            self.name = name
            self.script = Mutex(script)
        }
        func complete(_ request: ModelRequest, timeout: Duration) async throws -> ModelResponse {
            calls.withLock { $0 += 1 }
            let next = script.withLock { $0.isEmpty ? .success("default") : $0.removeFirst() }
            switch next {
            case .success(let text): return ModelResponse(content: text, usage: TokenUsage(), model: request.model)
            case .failure(let error): throw error
            }
        }
        func stream(_ request: ModelRequest, timeout: Duration) async throws -> ModelEventStream {
            let response = try await complete(request, timeout: timeout)
            return ModelEventStream { $0.yield(.textDelta(response.content ?? "")); $0.finish() }
        }
    }

    static func configuration(_ name: String, attempts: Int = 3, threshold: Int = 3, maxConcurrency: Int = 8) -> ProviderConfiguration {
        ProviderConfiguration(
            name: name, kind: .openAICompatible, baseURL: "http://127.0.0.1:9", timeoutMilliseconds: 2000, maxConcurrency: maxConcurrency,
            retry: RetryPolicy(maxAttempts: attempts, baseDelayMilliseconds: 10, maxDelayMilliseconds: 40),
            circuitBreaker: CircuitBreakerPolicy(failureThreshold: threshold, openMilliseconds: 200))
    }

    static let request = ModelRequest(model: "m", messages: [.user("x")])
    var soon: ContinuousClock.Instant { .now.advanced(by: .seconds(5)) }

    @Test func retriesRetryableErrorsOnly() async throws {
        let flaky = ScriptedProvider("a", [.failure(.http(status: 502, retryAfterSeconds: nil, message: "")), .failure(.connection("reset")), .success("ok")])
        let router = ResilientModelRouter(providers: ["a": flaky], configurations: ["a": Self.configuration("a")])
        let routed = try await router.complete(Self.request, targets: [ProviderTarget(provider: "a", model: "m")], deadline: soon)
        #expect(routed.response.content == "ok")
        #expect(routed.attempts.map { $0.error == nil } == [false, false, true])

        let rejected = ScriptedProvider("b", [.failure(.http(status: 400, retryAfterSeconds: nil, message: "bad"))])
        let router2 = ResilientModelRouter(providers: ["b": rejected], configurations: ["b": Self.configuration("b")])
        await #expect(throws: RoutingFailure.self) { _ = try await router2.complete(Self.request, targets: [ProviderTarget(provider: "b", model: "m")], deadline: soon) }
        #expect(rejected.calls.withLock { $0 } == 1)
    }

    @Test func failsOverToTheNextTarget() async throws {
        let down = ScriptedProvider("a", Array(repeating: .failure(.http(status: 500, retryAfterSeconds: nil, message: "")), count: 3))
        let up = ScriptedProvider("b", [.success("from b")])
        let router = ResilientModelRouter(
            providers: ["a": down, "b": up], configurations: ["a": Self.configuration("a", attempts: 2), "b": Self.configuration("b")])
        let routed = try await router.complete(
            Self.request, targets: [ProviderTarget(provider: "a", model: "m"), ProviderTarget(provider: "b", model: "m2")], deadline: soon)
        #expect(routed.target.provider == "b")
        #expect(routed.response.content == "from b")
        #expect(routed.attempts.count == 3)
    }

    @Test func circuitBreakerOpensRejectsFastAndClosesAfterAProbe() async throws {
        let provider = ScriptedProvider("a", Array(repeating: .failure(.http(status: 503, retryAfterSeconds: nil, message: "")), count: 3))
        let router = ResilientModelRouter(providers: ["a": provider], configurations: ["a": Self.configuration("a", attempts: 1, threshold: 3)])
        let target = [ProviderTarget(provider: "a", model: "m")]
        for _ in 0..<3 { _ = try? await router.complete(Self.request, targets: target, deadline: soon) }
        #expect(router.breakerState("a") == .open)
        do {
            _ = try await router.complete(Self.request, targets: target, deadline: soon)
            Issue.record("expected the open circuit to refuse")
        } catch {
            #expect(error.lastError == .circuitOpen)
        }
        #expect(provider.calls.withLock { $0 } == 3)
        try await Task.sleep(for: .milliseconds(250))
        #expect(router.breakerState("a") == .halfOpen)
        let routed = try await router.complete(Self.request, targets: target, deadline: soon)
        #expect(routed.response.content == "default")
        #expect(router.breakerState("a") == .closed)
    }

    @Test func halfOpenLetsExactlyOneProbeThrough() {
        let clock = Mutex(ContinuousClock.now)
        let breaker = CircuitBreaker(policy: CircuitBreakerPolicy(failureThreshold: 1, openMilliseconds: 1000), now: { clock.withLock { $0 } })
        breaker.recordFailure()
        #expect(!breaker.allowRequest())
        clock.withLock { $0 = $0.advanced(by: .seconds(2)) }
        #expect(breaker.allowRequest())
        #expect(!breaker.allowRequest())
        breaker.recordFailure()
        #expect(breaker.state == .open)
    }

    @Test func neverSleepsPastTheDeadline() async throws {
        let limited = ScriptedProvider("a", [.failure(.http(status: 429, retryAfterSeconds: 5, message: ""))])
        let router = ResilientModelRouter(providers: ["a": limited], configurations: ["a": Self.configuration("a")])
        let started = ContinuousClock.now
        do {
            _ = try await router.complete(Self.request, targets: [ProviderTarget(provider: "a", model: "m")], deadline: .now.advanced(by: .seconds(1)))
            Issue.record("expected a failure")
        } catch {
            #expect(error.deadlineExceeded)
            #expect(error.gatewayError.status == 504)
        }
        #expect(ContinuousClock.now - started < .milliseconds(200), "a Retry-After past the deadline fails at once")
    }

    @Test func saturatedProviderIsSkipped() async throws {
        let provider = ScriptedProvider("a", [])
        let router = ResilientModelRouter(providers: ["a": provider], configurations: ["a": Self.configuration("a", maxConcurrency: 0 + 1)])
        let routed = try await router.complete(Self.request, targets: [ProviderTarget(provider: "a", model: "m")], deadline: soon)
        #expect(routed.attempts.count == 1)
        do {
            _ = try await router.complete(Self.request, targets: [ProviderTarget(provider: "unknown", model: "m")], deadline: soon)
            Issue.record("expected a failure")
        } catch {
            #expect(error.gatewayError.status == 503)
        }
    }

    @Test func atTheProvidersCapRequestsQueueThenFailOver() async throws {
        let slow = MockProviderServer(default: .stall(seconds: 0.3, then: "slow"))
        let spare = MockProviderServer(default: .reply("spare"))
        try await slow.run { slowURL in
            try await spare.run { spareURL in
                var a = Self.configuration("a", attempts: 1, maxConcurrency: 1)
                a.baseURL = slowURL
                a.queueSize = 1
                var b = Self.configuration("b", attempts: 1)
                b.baseURL = spareURL
                let router = ResilientModelRouter(
                    providers: [
                        "a": OpenAICompatibleProvider(configuration: a, credential: nil, httpClient: .shared),
                        "b": OpenAICompatibleProvider(configuration: b, credential: nil, httpClient: .shared),
                    ],
                    configurations: ["a": a, "b": b])
                let deadline = ContinuousClock.now.advanced(by: .seconds(5))
                let answers = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<3 {
                        group.addTask {
                            try await Task.sleep(for: .milliseconds(30 * index))
                            let routed = try await router.complete(
                                Self.request, targets: [ProviderTarget(provider: "a", model: "m"), ProviderTarget(provider: "b", model: "m")], deadline: deadline)
                            return routed.response.content ?? ""
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                // One in flight and one queued at "a"; the third finds the queue full and fails over to "b".
                #expect(answers.sorted() == ["slow", "slow", "spare"], "\(answers)")
                #expect(router.depth(provider: "a") == (0, 0))
            }
        }
    }

    @Test func deadlineCutsAStalledUpstreamWithinTenPercent() async throws {
        let mock = MockProviderServer(default: .stall(seconds: 4))
        try await mock.run { url in
            let client = HTTPClient.shared
            var configuration = Self.configuration("mock")
            configuration.baseURL = url
            configuration.timeoutMilliseconds = 10_000
            let provider = OpenAICompatibleProvider(configuration: configuration, credential: nil, httpClient: client)
            let router = ResilientModelRouter(providers: ["mock": provider], configurations: ["mock": configuration])
            let started = ContinuousClock.now
            do {
                _ = try await router.complete(Self.request, targets: [ProviderTarget(provider: "mock", model: "m")], deadline: started.advanced(by: .milliseconds(800)))
                Issue.record("expected the deadline to end the call")
            } catch let error as RoutingFailure {
                #expect(error.deadlineExceeded)
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(800) && elapsed <= .milliseconds(880), "took \(elapsed)")
        }
    }

    @Test func perAttemptTimeoutRetriesWithinTheDeadline() async throws {
        let mock = MockProviderServer(default: .reply("second try"))
        mock.enqueue(.stall(seconds: 2))
        try await mock.run { url in
            var configuration = Self.configuration("mock")
            configuration.baseURL = url
            configuration.timeoutMilliseconds = 300
            let provider = OpenAICompatibleProvider(configuration: configuration, credential: nil, httpClient: HTTPClient.shared)
            let router = ResilientModelRouter(providers: ["mock": provider], configurations: ["mock": configuration])
            let started = ContinuousClock.now
            let routed = try await router.complete(Self.request, targets: [ProviderTarget(provider: "mock", model: "m")], deadline: started.advanced(by: .seconds(5)))
            #expect(routed.response.content == "second try")
            #expect(routed.attempts.map(\.error) == ["attempt timed out", nil])
            #expect((routed.attempts.first?.milliseconds ?? 0) >= 300 && (routed.attempts.first?.milliseconds ?? 0) < 600)
            #expect(ContinuousClock.now - started < .milliseconds(1500))
        }
    }

    @Test func anAttemptTimeoutCoversABodyThatStallsAfterTheHead() async throws {
        let mock = MockProviderServer(default: .reply("second try"))
        mock.enqueue(.stallBody(seconds: 2))
        try await mock.run { url in
            var configuration = Self.configuration("mock")
            configuration.baseURL = url
            configuration.timeoutMilliseconds = 300
            let provider = OpenAICompatibleProvider(configuration: configuration, credential: nil, httpClient: HTTPClient.shared)
            let router = ResilientModelRouter(providers: ["mock": provider], configurations: ["mock": configuration])
            let started = ContinuousClock.now
            let routed = try await router.complete(Self.request, targets: [ProviderTarget(provider: "mock", model: "m")], deadline: started.advanced(by: .seconds(5)))
            #expect(routed.response.content == "second try")
            #expect(routed.attempts.map(\.error) == ["attempt timed out", nil])
            #expect((routed.attempts.first?.milliseconds ?? 0) >= 300 && (routed.attempts.first?.milliseconds ?? 0) < 600)
        }
    }

    @Test func aSlowBodyWithinTheTimeoutIsReadWhole() async throws {
        let mock = MockProviderServer(default: .stallBody(seconds: 0.2, text: "arrived in two parts"))
        try await mock.run { url in
            var configuration = Self.configuration("mock")
            configuration.baseURL = url
            configuration.timeoutMilliseconds = 2000
            let provider = OpenAICompatibleProvider(configuration: configuration, credential: nil, httpClient: HTTPClient.shared)
            let router = ResilientModelRouter(providers: ["mock": provider], configurations: ["mock": configuration])
            let routed = try await router.complete(Self.request, targets: [ProviderTarget(provider: "mock", model: "m")], deadline: .now.advanced(by: .seconds(5)))
            #expect(routed.response.content == "arrived in two parts")
            #expect(routed.attempts.count == 1)
        }
    }
}
