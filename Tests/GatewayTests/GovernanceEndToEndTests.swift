import AsyncHTTPClient
import Core
import Foundation
import GatehouseTesting
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// Budgets, rate limits, the response cache and budget alerts over real HTTP.
@Suite(.serialized) struct GovernanceEndToEndTests {
    static let key = "gh_governance_key_01"
    static let environment = ["GH_GOV_KEY": key, "GH_TEST_MOCK_KEY": "sk-mock"]

    /// An LLM use case on the mock provider with the given budget, limits, cache and webhook.
    static func folder(mockURL: String, budget: String = "", limits: String = "", cache: String = "", webhook: String? = nil, temperature: Double = 0) throws -> String {
        let gatehouse = """
            server:
              listen: 127.0.0.1:0
              data_dir: data
            providers:
              - name: mock
                kind: openai-compatible
                base_url: \(mockURL)
                credential: env:GH_TEST_MOCK_KEY
                data_classes: [public, internal]
                prices: {input_per_million: 1.0, output_per_million: 2.0}
                max_concurrency: 512
                retry: {max_attempts: 1, base_delay_ms: 10, max_delay_ms: 20}
            api_keys:
              - id: tester
                secret: env:GH_GOV_KEY
                role: admin
            """
        let useCase = """
            id: budgeted
            title: Budgeted
            purpose: Reply drafts under a budget.
            owners: {business: a@example.com, technical: b@example.com\(webhook.map { ", on_call_webhook: \"\($0)\"" } ?? "")}
            risk_tier: limited
            task:
              kind: generate
              input_schema:
                type: object
                required: [message]
                properties:
                  message: {type: string}
              output_schema:
                type: object
                required: [reply]
                properties:
                  reply: {type: string}
            data_policy: {input_classification: internal, pii_action: allow, payload_logging: none}
            variants:
              - name: llm
                provider: mock
                model: mock-model
                prompt: prompt.txt
                params: {temperature: \(temperature), max_tokens: 50}
            stable_variant: llm
            \(budget)
            \(limits)
            \(cache)
            """
        return try TestGateway.makeConfigurationFolder(
            configYAML: gatehouse, copyDemoUseCases: false,
            extraFiles: ["usecases/budgeted/usecase.yaml": useCase, "usecases/budgeted/prompt.txt": "Draft a reply to: {{message}}"])
    }

    static let body = #"{"input": {"message": "Where is my parcel? It should have arrived on Monday."}}"#

    func invoke(_ gateway: TestGateway, client: HTTPClient? = nil, body: String = Self.body) async throws -> TestResponse {
        try await TestHTTP.send(.POST, gateway.baseURL + "/v1/usecases/budgeted/invoke", client: client ?? gateway.httpClient, body: body, bearer: Self.key)
    }

    /// The cost of one request, reserved and actual alike (the mock reports the reserved usage).
    func costOfOneRequest(_ url: String) async throws -> Double {
        let folder = try Self.folder(mockURL: url, budget: "budget: {daily_usd: 100}")
        return try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
            let response = try await invoke(gateway)
            #expect(response.status == 200, "\(response.body)")
            return try #require(response.json?["cost_usd"]?.numberValue)
        }
    }

    @Test func concurrentRequestsNeverOverspendABudgetThatFitsExactlyN() async throws {
        let mock = MockProviderServer(default: .replyMatchingReservation(#"{"reply": "On its way."}"#))
        try await mock.run { url in
            let cost = try await costOfOneRequest(url)
            #expect(cost > 0)
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            defer { Task { try? await client.shutdown() } }
            for round in 0..<20 {
                let fits = 23 + round * 3  // a different N each round
                let budget = String(format: "budget: {daily_usd: %.9f, on_exceed: reject}", cost * Double(fits))
                let folder = try Self.folder(mockURL: url, budget: budget)
                try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
                    let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<200 { group.addTask { try await invoke(gateway, client: client).status } }
                        return try await group.reduce(into: [Int]()) { $0.append($1) }
                    }
                    #expect(statuses.filter { $0 == 200 }.count == fits, "round \(round): \(statuses.filter { $0 == 200 }.count) served, budget fits \(fits)")
                    #expect(statuses.filter { $0 == 429 }.count == 200 - fits)
                    let refused = try await invoke(gateway, client: client)
                    #expect(refused.errorCode == "budget_exceeded")
                }
            }
        }
    }

    @Test func overBudgetDegradesToTheFallbackWhenTheContractSaysSo() async throws {
        let mock = MockProviderServer(default: .replyMatchingReservation(#"{"reply": "On its way."}"#))
        try await mock.run { url in
            let cost = try await costOfOneRequest(url)
            let folder = try Self.folder(mockURL: url, budget: String(format: "budget: {daily_usd: %.9f, on_exceed: fallback}", cost * 2))
            // A fallback variant: the same model on a free provider stands in for the local engine here.
            let contract = folder + "/usecases/budgeted/usecase.yaml"
            var yaml = try String(contentsOfFile: contract, encoding: .utf8)
            yaml = yaml.replacingOccurrences(of: "stable_variant: llm", with: """
                  - name: cheap
                    provider: free
                    model: small
                    prompt: prompt.txt
                    params: {temperature: 0, max_tokens: 50}
                stable_variant: llm
                fallback_variant: cheap
                """)
            try yaml.write(toFile: contract, atomically: true, encoding: .utf8)
            let main = folder + "/gatehouse.yaml"
            let config = try String(contentsOfFile: main, encoding: .utf8).replacingOccurrences(of: "api_keys:", with: """
                  - name: free
                    kind: openai-compatible
                    base_url: \(url)
                    credential: env:GH_TEST_MOCK_KEY
                    data_classes: [public, internal]
                api_keys:
                """)
            try config.write(toFile: main, atomically: true, encoding: .utf8)
            try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
                var decisions: [String] = []
                for _ in 0..<4 { decisions.append(try await invoke(gateway).json?["decision"]?.stringValue ?? "?") }
                #expect(decisions == ["answered", "answered", "fallback", "fallback"], "\(decisions)")
            }
        }
    }

    @Test func rateLimitServesTheLimitWhenSentTwiceAsFast() async throws {
        let mock = MockProviderServer(default: .replyMatchingReservation(#"{"reply": "ok"}"#))
        try await mock.run { url in
            // A burst of two: smooth enough that the served count follows the rate within a few percent.
            let folder = try Self.folder(mockURL: url, limits: "limits: {rpm: 600, burst: 2}")
            try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
                // 20 requests per second for 10 seconds against 600 per minute (10 per second).
                let started = ContinuousClock.now
                let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                    for index in 0..<200 {
                        let due = started.advanced(by: .milliseconds(index * 50))
                        group.addTask {
                            try await Task.sleep(until: due, clock: .continuous)
                            return try await invoke(gateway)
                        }
                    }
                    return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
                }
                let elapsed = (ContinuousClock.now - started).milliseconds / 1000
                let expected = 600.0 / 60 * elapsed
                let served = responses.filter { $0.status == 200 }
                let limited = responses.filter { $0.status == 429 }
                let count = Double(served.count)
                #expect(abs(count - expected) / expected <= 0.05, "served \(count) in \(elapsed) s, limit allows \(expected)")
                #expect(served.count + limited.count == 200)
                #expect(limited.allSatisfy { $0.header("retry-after") != nil && $0.errorCode == "rate_limit_exceeded" })
                let headers = try await invoke(gateway)
                #expect(headers.header("x-ratelimit-limit-requests") == "600")
                #expect(headers.header("x-ratelimit-remaining-requests") != nil && headers.header("x-ratelimit-reset-requests") != nil)
            }
        }
    }

    @Test func cacheHitAnswersWithoutCallingTheProviderAndRecordsTheSavedCost() async throws {
        let mock = MockProviderServer(default: .replyMatchingReservation(#"{"reply": "On its way."}"#))
        try await mock.run { url in
            let folder = try Self.folder(mockURL: url, cache: "cache: {ttl_s: 60, max_entries: 100}")
            try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
                let first = try await invoke(gateway)
                let second = try await invoke(gateway)
                #expect(mock.requestCount == 1)
                #expect(first.json?["output"] == second.json?["output"])
                #expect(second.header("x-gatehouse-cache") == "hit")
                let id = try #require(second.json?["invocation_id"]?.stringValue)
                let row = try #require(try await gateway.runtime.ledger.entry(id: id))
                #expect(row.cacheHit && row.costUSD == 0)
                #expect(row.savedCostUSD == first.json?["cost_usd"]?.numberValue && row.savedCostUSD > 0)
                // Another input is a miss.
                _ = try await invoke(gateway, body: #"{"input": {"message": "Another question."}}"#)
                #expect(mock.requestCount == 2)
            }
            // Not deterministic (temperature 0.7): never cached.
            let warm = try Self.folder(mockURL: url, cache: "cache: {ttl_s: 60}", temperature: 0.7)
            let before = mock.requestCount
            try await TestGateway.run(configurationFolder: warm, environment: Self.environment) { gateway in
                _ = try await invoke(gateway)
                _ = try await invoke(gateway)
            }
            #expect(mock.requestCount == before + 2)
        }
    }

    @Test func budgetAlertsAreSentOncePerThresholdAndRetried() async throws {
        let mock = MockProviderServer(default: .replyMatchingReservation(#"{"reply": "ok"}"#))
        let receiver = WebhookReceiver(failFirst: 2)
        try await receiver.run { webhook in
            try await mock.run { url in
                let cost = try await costOfOneRequest(url)
                // Ten requests fit; alerts at 50% (request 5) and 80% (request 8).
                let budget = String(format: "budget: {daily_usd: %.9f, alert_thresholds: [0.5, 0.8]}", cost * 10)
                let folder = try Self.folder(mockURL: url, budget: budget, webhook: webhook)
                try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
                    for _ in 0..<9 { #expect(try await invoke(gateway).status == 200) }
                    // Delivery is asynchronous and the first two attempts fail: wait for the retries.
                    for _ in 0..<100 where receiver.delivered.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
                    try await Task.sleep(for: .milliseconds(300))
                    let thresholds = receiver.delivered.compactMap { $0["threshold"]?.numberValue }.sorted()
                    #expect(thresholds == [0.5, 0.8], "\(receiver.delivered)")
                    #expect(receiver.attempts >= 4)  // two refused, then two delivered
                    let audit = try await gateway.runtime.store.auditEvents().map(\.content).filter { $0.contains("budget.alert") }
                    #expect(audit.count == 2 && audit.allSatisfy { $0.contains("delivered") })
                }
            }
        }
    }
}

extension GovernanceEndToEndTests {
    @Test(arguments: [(200, 2), (3000, 3)])
    func concurrencyCapQueuesThenRefusesWith503(queueTimeout: Int, served: Int) async throws {
        let mock = MockProviderServer(default: .stall(seconds: 0.5, then: #"{"reply": "slow"}"#))
        try await mock.run { url in
            let folder = try Self.folder(mockURL: url, limits: "limits: {concurrency: 2, queue_size: 1, queue_timeout_ms: \(queueTimeout)}")
            try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
                let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                    for index in 0..<5 {
                        group.addTask {
                            try await Task.sleep(for: .milliseconds(20 * index))  // arrival order
                            return try await invoke(gateway)
                        }
                    }
                    return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
                }
                let ok = responses.filter { $0.status == 200 }
                let refused = responses.filter { $0.status == 503 }
                #expect(ok.count == served && refused.count == 5 - served, "\(responses.map(\.status))")
                #expect(refused.allSatisfy { $0.errorCode == "concurrency_limit" && $0.header("retry-after") == "1" })
                if served == 3 {
                    // The queued request waited for a slot; the ledger shows how long.
                    var waits: [Double] = []
                    for response in ok {
                        let id = try #require(response.json?["invocation_id"]?.stringValue)
                        waits.append(try await gateway.runtime.ledger.entry(id: id)?.stageTimings["queue_wait"] ?? 0)
                    }
                    #expect(waits.filter { $0 > 300 }.count == 1, "\(waits)")
                }
            }
        }
    }

    @Test func passthroughAndStreamsAreHeldToTheKeysBudget() async throws {
        let mock = MockProviderServer(default: .replyMatchingReservation("fine"))
        try await mock.run { url in
            let folder = try Self.folder(mockURL: url)
            let main = folder + "/gatehouse.yaml"
            let config = try String(contentsOfFile: main, encoding: .utf8) + """

                budgets:
                  - key: tester
                    daily_usd: 0.00009
                """
            try config.write(toFile: main, atomically: true, encoding: .utf8)
            try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
                let message = String(repeating: "b", count: 40)
                let chat = #"{"model": "mock/m", "max_tokens": 10, "messages": [{"role": "user", "content": "\#(message)"}]}"#
                // 10 × $1/M + 10 × $2/M = $0.00003 per call: three calls fit in $0.00009, the fourth does not.
                var statuses: [Int] = []
                for _ in 0..<4 { statuses.append(try await gateway.send(.POST, "/v1/chat/completions", body: chat, bearer: Self.key).status) }
                #expect(statuses == [200, 200, 200, 429], "\(statuses)")
            }
            // A stream that runs past its reserved tokens is stopped with a clear final event.
            mock.enqueue(.stream(Array(repeating: "word ", count: 40)))
            let fresh = try Self.folder(mockURL: url)
            let main2 = fresh + "/gatehouse.yaml"
            try (try String(contentsOfFile: main2, encoding: .utf8) + "\nbudgets:\n  - key: tester\n    daily_usd: 1\n").write(toFile: main2, atomically: true, encoding: .utf8)
            try await TestGateway.run(configurationFolder: fresh, environment: Self.environment) { gateway in
                let stream = #"{"model": "mock/m", "max_tokens": 5, "stream": true, "messages": [{"role": "user", "content": "tell me"}]}"#
                let response = try await gateway.send(.POST, "/v1/chat/completions", body: stream, bearer: Self.key)
                #expect(response.status == 200)
                #expect(response.body.contains("budget_exceeded") && response.body.contains("stream was stopped"), "\(response.body.suffix(400))")
                #expect(!response.body.contains("[DONE]"))
            }
        }
    }

    @Test func spendReportMatchesTheSumOfLedgerCosts() async throws {
        let mock = MockProviderServer(default: .replyMatchingReservation(#"{"reply": "ok"}"#))
        try await mock.run { url in
            let folder = try Self.folder(mockURL: url)
            try await TestGateway.run(configurationFolder: folder, environment: Self.environment) { gateway in
                var total = 0.0
                for length in [5, 40, 120, 300, 7, 64, 900] {
                    let message = String(repeating: "a", count: length)
                    let response = try await invoke(gateway, body: #"{"input": {"message": "\#(message)"}}"#)
                    total += try #require(response.json?["cost_usd"]?.numberValue)
                }
                let api = try await gateway.send(.GET, "/v1/spend?by=use-case&window=day", bearer: Self.key)
                #expect(api.status == 200, "\(api.body)")
                #expect(abs((api.json?["total_usd"]?.numberValue ?? 0) - total) < 1e-9, "\(api.body) vs \(total)")
                let row = api.json?["data"]?.arrayValue?.first
                #expect(row?["group"] == "budgeted" && row?["requests"] == 7)
                // The command line reads the same ledger.
                let binary = URL(fileURLWithPath: TestGateway.examplesDirectory).deletingLastPathComponent().appendingPathComponent(".build/debug/gatehouse").path
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["spend", "--config", folder, "--by", "provider", "--window", "month", "--json"]
                process.environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
                let output = Pipe()
                process.standardOutput = output
                try process.run()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                let printed = try JSONValue.parse(Array(data))
                #expect(abs((printed["total_usd"]?.numberValue ?? 0) - total) < 1e-9, "\(printed.compactJSONString())")
                #expect(printed["data"]?.arrayValue?.first?["group"] == "mock")
                let bad = try await gateway.send(.GET, "/v1/spend?by=colour", bearer: Self.key)
                #expect(bad.status == 400)
            }
        }
    }
}

/// A webhook receiver on loopback that refuses its first requests.
final class WebhookReceiver: Sendable {
    private let state = Mutex<(attempts: Int, delivered: [JSONValue])>((0, []))
    let failFirst: Int

    init(failFirst: Int) { self.failFirst = failFirst }

    var delivered: [JSONValue] { state.withLock { $0.delivered } }
    var attempts: Int { state.withLock { $0.attempts } }

    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let refuse = self.state.withLock { state -> Bool in
                state.attempts += 1
                if state.attempts <= self.failFirst { return true }
                if let value = try? JSONValue.parse(buffer.readableBytesView) { state.delivered.append(value) }
                return false
            }
            return Response(status: refuse ? .serviceUnavailable : .ok)
        }
        return try await LoopbackServer.serve(router, name: "webhook-receiver") { port in try await body("http://127.0.0.1:\(port)/hook") }
    }
}
