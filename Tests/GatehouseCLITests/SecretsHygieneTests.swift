import Foundation
import GatehouseTesting
import NIOHTTP1
import Testing

/// Plants unique secret values in a provider credential and an API key, runs a full session against
/// the real binary (successes, provider errors that quote the credential back, configuration errors,
/// admin calls, bad keys), then searches every byte written for them: standard output and error of
/// every command, every response (headers and body), and every file in the data folder.
@Suite struct SecretsHygieneTests {
    @Test func plantedSecretsAppearNowhere() async throws {
        let providerSecret = "sk-planted-provider-\(UUID().uuidString.lowercased())"
        let keySecret = "gh-planted-key-\(UUID().uuidString.lowercased())"
        let environment = ["PLANTED_PROVIDER_KEY": providerSecret, "PLANTED_APP_KEY": keySecret, "GATEHOUSE_DEMO_KEY": ""]
        let mock = MockProviderServer(default: .reply("Hello from the mock"))
        let written: [(String, String)] = try await mock.run { url in
            var written: [(String, String)] = []  // (where, what)
            let scratch = try CLI.scratchDemo { yaml in
                yaml.replacingOccurrences(of: "providers:\n", with: """
                    providers:
                      - name: mock
                        kind: openai-compatible
                        base_url: \(url)
                        credential: env:PLANTED_PROVIDER_KEY
                        data_classes: [public, internal]
                        retry: {max_attempts: 2, base_delay_ms: 10, max_delay_ms: 20}

                    """)
                    + """

                      - id: planted
                        secret: env:PLANTED_APP_KEY
                        use_cases: [ticket-triage]
                        providers: [mock]

                    """
            }
            defer { try? FileManager.default.removeItem(at: scratch) }

            // Configuration errors: credentials written inline are refused without echoing them.
            let broken = try CLI.scratchDemo { yaml in
                yaml.replacingOccurrences(of: "credential: env:OPENAI_API_KEY", with: "credential: \(providerSecret)")
                    .replacingOccurrences(of: "secret: env:GATEHOUSE_DEMO_KEY", with: "secret: \(keySecret)")
            }
            defer { try? FileManager.default.removeItem(at: broken) }
            let check = try CLI.run(["check", broken.path], environment: environment)
            #expect(check.status == 1)
            written.append(("check stdout", check.stdout))
            written.append(("check stderr", check.stderr))
            let refused = try CLI.run(["serve", "--config", broken.path, "--listen", "127.0.0.1:0"], environment: environment)
            #expect(refused.status == 1)
            written.append(("refused serve", refused.stdout + refused.stderr))

            let bootstrap = try CLI.run(["keys", "bootstrap", "--config", scratch.path], environment: environment)
            let admin = try #require(CLI.token(in: bootstrap.stdout))
            written.append(("bootstrap stderr", bootstrap.stderr))

            let server = try CLI.Server(["--config", scratch.path, "--log-level", "trace"], environment: environment)
            func send(_ method: HTTPMethod, _ path: String, body: String? = nil, bearer: String?, headers: [(String, String)] = []) async throws -> TestResponse {
                let response = try await TestHTTP.send(method, server.baseURL + path, body: body, headers: headers, bearer: bearer)
                written.append(("\(method) \(path)", response.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n" + response.body))
                return response
            }
            let ticket = #"{"input": {"subject": "Refund", "body": "Charged twice."}, "context": {"data_subject": "C-1"}}"#
            let chat = #"{"model": "mock/gpt-test", "messages": [{"role": "user", "content": "Hi"}]}"#
            #expect(try await send(.POST, "/v1/usecases/ticket-triage/invoke", body: ticket, bearer: keySecret).status == 200)
            #expect(try await send(.POST, "/v1/chat/completions", body: chat, bearer: keySecret).status == 200)
            // The provider rejects the key and quotes it back, as real providers do.
            mock.enqueue(.echoCredentials(status: 401))
            #expect(try await send(.POST, "/v1/chat/completions", body: chat, bearer: keySecret).status == 502)
            mock.enqueue(.echoCredentials(status: 400))
            let quoted = try await send(.POST, "/v1/chat/completions", body: chat, bearer: keySecret)
            #expect(quoted.status == 400)
            #expect(quoted.body.contains("[REDACTED]") || quoted.body.contains("withheld"), "\(quoted.body)")
            mock.enqueue(.status(500), .status(500))
            #expect(try await send(.POST, "/v1/chat/completions", body: chat, bearer: keySecret).status == 502)
            mock.enqueue(.stream(["Hel", "lo"]))
            #expect(try await send(.POST, "/v1/chat/completions", body: #"{"model": "mock/gpt-test", "stream": true, "messages": [{"role": "user", "content": "Hi"}]}"#, bearer: keySecret).status == 200)
            // Secrets presented where they do not belong: as a bearer token, in a body.
            #expect(try await send(.POST, "/v1/usecases/ticket-triage/invoke", body: ticket, bearer: providerSecret).status == 401)
            #expect(try await send(.POST, "/v1/usecases/ticket-triage/invoke", body: #"{"input": {"subject": 1}}"#, bearer: keySecret).status == 400)
            #expect(try await send(.GET, "/v1/models", bearer: keySecret).status == 200)
            // Admin calls.
            #expect(try await send(.GET, "/v1/admin/keys", bearer: admin).status == 200)
            let created = try await send(.POST, "/v1/admin/keys", body: #"{"name": "helpdesk", "role": "app", "use_cases": ["ticket-triage"]}"#, bearer: admin)
            #expect(created.status == 201)
            let id = try #require(created.json?["key"]?["id"]?.stringValue)
            #expect(try await send(.POST, "/v1/admin/keys/\(id)/rotate", body: #"{"grace": "1h"}"#, bearer: admin).status == 200)
            #expect(try await send(.POST, "/v1/admin/keys/\(id)/revoke", bearer: admin).status == 200)
            #expect(try await send(.GET, "/v1/admin/audit/verify", bearer: admin).status == 200)
            #expect(try await send(.POST, "/v1/admin/erasure", body: #"{"subject": "C-1"}"#, bearer: admin).status == 200)
            #expect(try await send(.GET, "/v1/usecases/ticket-triage/summary", bearer: admin).status == 200)
            #expect(server.stop() == 0)
            written.append(("serve stdout", server.stdout))
            written.append(("serve stderr", server.stderr))
            #expect(server.stderr.contains("invocation finished"), "the server's log is part of what is searched")

            for arguments in [["keys", "list"], ["audit", "verify"], ["audit", "export"]] {
                let result = try CLI.run(arguments + ["--config", scratch.path], environment: environment)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                written.append((arguments.joined(separator: " "), result.stdout + result.stderr))
            }
            // Every file the gateway wrote: database, WAL, audit anchor, key files.
            let data = scratch.appendingPathComponent("data")
            for name in try FileManager.default.contentsOfDirectory(atPath: data.path) where name != "models" {
                let bytes = try Data(contentsOf: data.appendingPathComponent(name))
                written.append(("data/\(name)", String(decoding: bytes, as: UTF8.self)))
                #expect(bytes.range(of: Data(providerSecret.utf8)) == nil && bytes.range(of: Data(keySecret.utf8)) == nil, "data/\(name)")
            }
            return written
        }
        // The provider really received its credential (so the search below looks for something that was in play).
        #expect(mock.requests.contains { $0.headers["authorization"] == "Bearer \(providerSecret)" })
        var hits: [String] = []
        for (place, text) in written {
            for (label, secret) in [("provider credential", providerSecret), ("API key", keySecret)] {
                // Also a recognisable fragment: the secret's random tail.
                if text.contains(secret) || text.contains(String(secret.suffix(20))) { hits.append("\(label) in \(place)") }
            }
        }
        #expect(hits.isEmpty, "\(hits)")
        #expect(written.count > 25)
    }
}
