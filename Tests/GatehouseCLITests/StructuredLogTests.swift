import Foundation
import GatehouseTesting
import Testing

/// The server's log: one JSON object per line, one line per request with its invocation id, trace
/// id, use case, variant, decision, status and stage timings; no payload and no personal data.
@Suite struct StructuredLogTests {
    @Test func oneJSONLinePerRequestWithTraceAndTimings() async throws {
        let scratch = try CLI.scratchDemo()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = "gh-structured-log-key"
        let server = try CLI.Server(["--config", scratch.path], environment: ["GATEHOUSE_DEMO_KEY": key])
        let trace = "5cf92f3577b34da6a3ce929d0e0e4736"
        let body = #"{"input": {"subject": "Refund for Ingrid Halvorsen", "body": "Please refund order NL-48213 to ingrid.halvorsen@example.no"}}"#
        let response = try await TestHTTP.send(
            .POST, server.baseURL + "/v1/usecases/ticket-triage/invoke", body: body, headers: [("traceparent", "00-\(trace)-00f067aa0ba902b7-01")],
            bearer: key)
        #expect(response.status == 200)
        let invocation = try #require(response.headers.first { $0.0 == "x-gatehouse-invocation-id" }?.1)
        // Lines are written in batches, but leave within the flush delay while the server runs.
        let waitStarted = ContinuousClock.now
        while !server.stderr.contains(invocation) && ContinuousClock.now - waitStarted < .seconds(2) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.stderr.contains(invocation), "the request line did not leave while the server ran")
        #expect(server.stop() == 0)

        let lines = server.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        var requestLine: [String: Any]?
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            #expect(object["ts"] is String && object["level"] is String && object["msg"] is String)
            if object["invocation.id"] as? String == invocation { requestLine = object }
        }
        let line = try #require(requestLine, "no log line for \(invocation)")
        #expect(line["msg"] as? String == "invocation finished")
        #expect(line["trace.id"] as? String == trace)
        #expect(line["usecase.id"] as? String == "ticket-triage")
        #expect(line["variant"] as? String == "local-classifier")
        #expect(line["decision"] as? String != nil && line["http.status"] as? Int == 200)
        #expect(line["latency_ms"] is Double || line["latency_ms"] is Int)
        let timings = try #require(line["timings_ms"] as? [String: Any])
        for stage in ["authenticate", "validate_input", "guard_input", "call_model", "decide", "record"] {
            #expect(timings[stage] != nil, "no timing for \(stage)")
        }
        for secret in ["Ingrid", "Halvorsen", "ingrid.halvorsen", "Please refund", key] {
            #expect(!server.stderr.contains(secret), "the log contains \(secret)")
        }
    }
}
