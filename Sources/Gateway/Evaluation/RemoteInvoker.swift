import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import Synchronization

/// Invokes a use case on a running gateway (`POST /v1/usecases/{id}/invoke`) for `gatehouse eval --url`.
/// The figures come from the gateway's own answer (decision, cost, its pipeline latency), so a remote
/// evaluation measures the same things as an in-process one.
public final class RemoteInvoker: Sendable {
    let client: HTTPClient
    let endpoint: String
    let token: String
    let timeout: TimeAmount
    let maxWaitSeconds: Double
    /// Requests answered 429 (or 503 with Retry-After) and sent again.
    public let retries = Atomic<Int>(0)

    /// `baseURL` like `http://127.0.0.1:8080`; `token` an evaluator (or admin) key.
    public init(baseURL: String, useCaseID: String, token: String, timeoutSeconds: Int = 60, maxWaitSeconds: Double = 120) {
        self.maxWaitSeconds = maxWaitSeconds
        client = HTTPClient(eventLoopGroupProvider: .singleton)
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let escaped = useCaseID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? useCaseID
        endpoint = "\(base)/v1/usecases/\(escaped)/invoke"
        self.token = token
        timeout = .seconds(Int64(timeoutSeconds))
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// One invocation. Transport errors and non-JSON answers count as `failed`; an error answer keeps
    /// the decision the gateway reports in `x-gatehouse-decision` (blocked, refused...).
    public func invoke(input: JSONValue, variant: String?) async -> Evaluator.InvocationReport {
        var body: [String: JSONValue] = ["input": input]
        if let variant { body["variant"] = .string(variant) }
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(bytes: JSONValue.object(body).compactJSONData()))
        let started = ContinuousClock.now
        do {
            var response = try await client.execute(request, timeout: timeout)
            // The gateway's rate limits apply to evaluations too: wait as told (Retry-After) and try again,
            // so a run measures quality, not the limiter. At most `maxWaitSeconds` of waiting per item.
            var waited = 0.0
            while response.status == .tooManyRequests || (response.status == .serviceUnavailable && response.headers.first(name: "retry-after") != nil) {
                let delay = min(30, max(0.05, Double(response.headers.first(name: "retry-after") ?? "") ?? 0.5))
                guard waited + delay <= maxWaitSeconds else { break }
                _ = try? await response.body.collect(upTo: 1 << 20)
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                waited += delay
                retries.add(1, ordering: .relaxed)
                response = try await client.execute(request, timeout: timeout)
            }
            let bytes = try await response.body.collect(upTo: 16 << 20)
            let elapsed = (ContinuousClock.now - started).milliseconds
            let decisionHeader = response.headers.first(name: "x-gatehouse-decision").flatMap(Decision.init(rawValue:))
            guard response.status == .ok, let answer = try? JSONValue.parse(Array(buffer: bytes)) else {
                return .init(output: nil, decision: decisionHeader ?? .failed, confidence: nil, latencyMilliseconds: elapsed, costUSD: 0)
            }
            return .init(
                output: answer["output"].flatMap { $0.isNull ? nil : $0 },
                decision: answer["decision"]?.stringValue.flatMap(Decision.init(rawValue:)) ?? decisionHeader ?? .failed,
                confidence: answer["confidence"]?.numberValue, latencyMilliseconds: answer["latency_ms"]?.numberValue ?? elapsed,
                costUSD: answer["cost_usd"]?.numberValue ?? 0,
                variantVersion: answer["decision"]?.stringValue == "answered" ? answer["variant_version"]?.stringValue : nil)
        } catch {
            return .init(output: nil, decision: .failed, confidence: nil, latencyMilliseconds: (ContinuousClock.now - started).milliseconds, costUSD: 0)
        }
    }
}
