import Foundation
import GatehouseTesting
import Testing

/// A variant version becomes stable only after `gatehouse eval` passed its gates on the contract's
/// dataset: at start-up and on reload, over the real binary and a real SQLite store; and the same
/// evaluation runs against a live gateway with `--url` and an evaluator key.
@Suite(.serialized) struct PromotionTests {
    static func setStable(_ scratch: URL, _ variant: String) throws {
        let contract = scratch.appendingPathComponent("usecases/ticket-triage/usecase.yaml")
        let yaml = try String(contentsOf: contract, encoding: .utf8)
        let replaced = yaml.replacingOccurrences(of: #"(?m)^stable_variant: .*$"#, with: "stable_variant: \(variant)", options: .regularExpression)
        try replaced.write(to: contract, atomically: true, encoding: .utf8)
    }

    /// A third local variant: the demo classifier with one more epoch, so a new version that passes.
    static func addCandidate(_ scratch: URL) throws {
        let contract = scratch.appendingPathComponent("usecases/ticket-triage/usecase.yaml")
        let yaml = try String(contentsOf: contract, encoding: .utf8).replacingOccurrences(of: "  - name: gpt-4o-mini", with: """
              - name: local-candidate
                provider: local
                local:
                  model: classifier
                  training_data: datasets/train.jsonl
                  text_fields: [subject, body]
                  epochs: 13
              - name: gpt-4o-mini
            """)
        try yaml.write(to: contract, atomically: true, encoding: .utf8)
    }

    @Test func aVariantCannotBecomeStableBeforeItsGatesPass() throws {
        let scratch = try CLI.scratchDemo()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let environment = ["GATEHOUSE_DEMO_KEY": "gh-promotion-test-key"]

        // First start: the store records the contract's stable variant.
        let first = try CLI.Server(["--config", scratch.path], environment: environment)
        #expect(first.stop() == 0)

        // Switching to a variant never evaluated: the gateway refuses to start and says what to run.
        try Self.setStable(scratch, "local-baseline")
        let refused = try CLI.run(["serve", "--config", scratch.path, "--listen", "127.0.0.1:0"], environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("local-baseline@") && refused.stderr.contains("has not been evaluated"), "\(refused.stderr)")
        #expect(refused.stderr.contains("gatehouse eval ticket-triage --variant local-baseline"))

        // Evaluated and failing (no-go): still refused, now for the failed gates.
        let noGo = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--variant", "local-baseline"])
        #expect(noGo.status == 1 && noGo.stdout.contains("Recorded as evaluation"), "\(noGo.stdout)\(noGo.stderr)")
        let stillRefused = try CLI.run(["serve", "--config", scratch.path, "--listen", "127.0.0.1:0"], environment: environment)
        #expect(stillRefused.status == 1 && stillRefused.stderr.contains("did not pass the gates"), "\(stillRefused.stderr)")

        // An evaluation on another dataset does not count, even a passing one.
        let subset = scratch.appendingPathComponent("subset.jsonl")
        let dataset = try String(contentsOf: scratch.appendingPathComponent("usecases/ticket-triage/datasets/test.jsonl"), encoding: .utf8)
        try dataset.split(separator: "\n").prefix(5).joined(separator: "\n").write(to: subset, atomically: true, encoding: .utf8)
        _ = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--variant", "local-baseline", "--dataset", subset.path])
        #expect(try CLI.run(["serve", "--config", scratch.path, "--listen", "127.0.0.1:0"], environment: environment).status == 1)

        // Back to the recorded stable variant: starts without any evaluation.
        try Self.setStable(scratch, "local-classifier")
        let back = try CLI.Server(["--config", scratch.path], environment: environment)
        #expect(back.stop() == 0)

        // The audit log has the evaluation runs and the first stable variant.
        let audit = try CLI.run(["audit", "export", "--config", scratch.path])
        #expect(audit.stdout.contains("evaluation.run") && audit.stdout.contains("variant.stable_initial"), "\(audit.stdout.suffix(2000))")
    }

    @Test func reloadPromotesOnlyAnEvaluatedVersionAndEvalRunsAgainstALiveGateway() async throws {
        let scratch = try CLI.scratchDemo()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Self.addCandidate(scratch)
        // The demo's 600 requests per minute would make the remote run wait for its rate limit.
        let contract = scratch.appendingPathComponent("usecases/ticket-triage/usecase.yaml")
        try String(contentsOf: contract, encoding: .utf8).replacingOccurrences(of: "  rpm: 600", with: "  rpm: 600000")
            .write(to: contract, atomically: true, encoding: .utf8)
        let admin = try #require(CLI.token(in: try CLI.run(["keys", "bootstrap", "--config", scratch.path]).stdout))
        let created = try CLI.run(["keys", "create", "--config", scratch.path, "--name", "eval-ci", "--role", "evaluator", "--use-case", "ticket-triage"])
        let evaluatorKey = try #require(CLI.token(in: created.stdout), "\(created.stdout)\(created.stderr)")
        let server = try CLI.Server(["--config", scratch.path], environment: ["GATEHOUSE_DEMO_KEY": "gh-promotion-app-key"])
        defer { _ = server.stop() }

        // Reload onto the unevaluated candidate: 409, nothing changes.
        try Self.setStable(scratch, "local-candidate")
        let refused = try await TestHTTP.send(.POST, server.baseURL + "/v1/admin/reload", body: "{}", bearer: admin)
        #expect(refused.status == 409 && refused.body.contains("variant_not_evaluated"), "\(refused.body)")

        // An app key may not pin a variant; the evaluator key may.
        let ticket = #"{"input": {"subject": "Parcel", "body": "Where is my parcel?"}, "variant": "local-candidate"}"#
        let app = try await TestHTTP.send(.POST, server.baseURL + "/v1/usecases/ticket-triage/invoke", body: ticket, bearer: "gh-promotion-app-key")
        #expect(app.status == 403, "\(app.body)")
        let pinned = try await TestHTTP.send(.POST, server.baseURL + "/v1/usecases/ticket-triage/invoke", body: ticket, bearer: evaluatorKey)
        #expect(pinned.status == 200 && pinned.body.contains(#""variant":"local-candidate""#), "\(pinned.body)")

        // Evaluate the candidate against the live gateway (it serves the same version), then reload: promoted.
        let remote = try CLI.run(
            ["eval", "ticket-triage", "--config", scratch.path, "--variant", "local-candidate", "--url", server.baseURL, "--concurrency", "4"],
            environment: ["GATEHOUSE_API_KEY": evaluatorKey])
        #expect(remote.status == 0, "\(remote.stdout)\(remote.stderr)")
        #expect(remote.stdout.contains("Verdict: GO") && remote.stdout.contains("Recorded as evaluation"), "\(remote.stdout)")
        let promoted = try await TestHTTP.send(.POST, server.baseURL + "/v1/admin/reload", body: "{}", bearer: admin)
        #expect(promoted.status == 200, "\(promoted.body)")
        let plain = try await TestHTTP.send(
            .POST, server.baseURL + "/v1/usecases/ticket-triage/invoke", body: #"{"input": {"subject": "Parcel", "body": "Where is my parcel?"}}"#,
            bearer: "gh-promotion-app-key")
        #expect(plain.body.contains(#""variant":"local-candidate""#), "\(plain.body)")
        let audit = try CLI.run(["audit", "export", "--config", scratch.path])
        #expect(audit.stdout.contains("variant.promote"), "\(audit.stdout.suffix(2000))")

        // Without a key, --url is a usage error.
        let noKey = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--url", server.baseURL], environment: ["GATEHOUSE_API_KEY": ""])
        #expect(noKey.status == 2 && noKey.stderr.contains("GATEHOUSE_API_KEY"))
    }
}
