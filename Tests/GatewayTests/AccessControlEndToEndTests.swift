import Core
import Foundation
import GatehouseTesting
import Gateway
import Testing

/// Roles, scopes, clearance, rotation and revocation over real HTTP.
@Suite(.serialized) struct AccessControlEndToEndTests {
    enum Scope: String, CaseIterable { case inScope = "in-scope", outOfScope = "out-of-scope" }
    enum Outcome: Equatable { case allow, deny }

    /// Every endpoint that takes a key, with what each role may do in and out of its scope.
    /// In scope means the key's use cases include `ticket-triage` and its providers include `mock`;
    /// out of scope means the key is scoped to `llm-triage` only, with no passthrough provider.
    /// Admin keys have no scope, so both columns allow. `deny` is 403, except where a 404 is the
    /// answer that reveals nothing (an invocation the key may not see).
    static let table: [(endpoint: String, app: [Outcome], reviewer: [Outcome], viewer: [Outcome], admin: [Outcome], evaluator: [Outcome])] = [
        //                          app in/out       reviewer in/out  viewer in/out    admin in/out      evaluator in/out
        ("invoke",                  [.allow, .deny], [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.allow, .deny]),
        ("chat.usecase",            [.allow, .deny], [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.allow, .deny]),
        ("chat.passthrough",        [.allow, .deny], [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.deny, .deny]),
        ("models.list",             [.allow, .allow], [.deny, .deny], [.deny, .deny],  [.allow, .allow], [.allow, .allow]),
        ("invocation.read",         [.allow, .deny], [.allow, .deny], [.allow, .deny], [.allow, .allow], [.deny, .deny]),
        ("usecase.summary",         [.deny, .deny],  [.deny, .deny],  [.allow, .deny], [.allow, .allow], [.deny, .deny]),
        ("admin.keys.list",         [.deny, .deny],  [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.deny, .deny]),
        ("admin.keys.create",       [.deny, .deny],  [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.deny, .deny]),
        ("admin.keys.rotate",       [.deny, .deny],  [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.deny, .deny]),
        ("admin.keys.revoke",       [.deny, .deny],  [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.deny, .deny]),
        ("admin.erasure",           [.deny, .deny],  [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.deny, .deny]),
        ("admin.audit.verify",      [.deny, .deny],  [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.deny, .deny]),
        ("admin.config.reload",     [.deny, .deny],  [.deny, .deny],  [.deny, .deny],  [.allow, .allow], [.deny, .deny]),
    ]

    static func expected(_ endpoint: Int, _ role: Role, _ scope: Scope) -> Outcome {
        let row = table[endpoint]
        let column = switch role { case .app: row.app; case .reviewer: row.reviewer; case .viewer: row.viewer; case .admin: row.admin; case .evaluator: row.evaluator }
        return column[scope == .inScope ? 0 : 1]
    }

    struct Fixture: Sendable {
        var gateway: TestGateway
        var keys: KeyService
        /// Tokens by role and scope.
        var tokens: [String: String]
        /// An invocation of ticket-triage made by the in-scope app key.
        var invocationID: String
    }

    func withFixture(_ body: @escaping @Sendable (Fixture) async throws -> Void) async throws {
        let mock = MockProviderServer(default: .reply(#"{"category": "billing", "priority": "normal"}"#))
        try await mock.run { url in
            let folder = try TestConfigurations.folder(mockURL: url)
            try await TestGateway.run(configurationFolder: folder, environment: TestConfigurations.environment) { gateway in
                let keys = KeyService(store: gateway.runtime.store, configuration: gateway.runtime.configuration)
                var tokens: [String: String] = [:]
                for role in Role.allCases {
                    for scope in Scope.allCases {
                        let inScope = scope == .inScope
                        let issued = try await keys.create(
                            .init(
                                name: "\(role.rawValue)-\(scope.rawValue)", role: role,
                                useCases: inScope ? ["ticket-triage"] : ["llm-triage"], providers: inScope ? ["mock"] : [],
                                team: "support"),
                            actor: AuditActor(id: "test"))
                        tokens["\(role.rawValue)/\(scope.rawValue)"] = issued.token
                    }
                }
                let made = try await gateway.send(
                    .POST, "/v1/usecases/ticket-triage/invoke", body: #"{"input": {"subject": "Card charged twice", "body": "Please refund one."}}"#,
                    bearer: tokens["app/in-scope"])
                #expect(made.status == 200)
                let invocationID = try #require(made.json?["invocation_id"]?.stringValue)
                try await body(Fixture(gateway: gateway, keys: keys, tokens: tokens, invocationID: invocationID))
            }
        }
    }

    /// Sends the request of one endpoint with `token`; creates what the request needs first (a victim key).
    func call(_ endpoint: String, _ fixture: Fixture, token: String?) async throws -> TestResponse {
        let gateway = fixture.gateway
        let ticket = #"{"input": {"subject": "Where is my parcel?", "body": "Tracking has not moved for a week."}}"#
        func victim() async throws -> String {
            try await fixture.keys.create(
                .init(name: "victim-\(UUID().uuidString.prefix(8))", role: .app, useCases: ["ticket-triage"]), actor: AuditActor(id: "test")
            ).key.id
        }
        switch endpoint {
        case "invoke":
            return try await gateway.send(.POST, "/v1/usecases/ticket-triage/invoke", body: ticket, bearer: token)
        case "chat.usecase":
            return try await gateway.send(
                .POST, "/v1/chat/completions", body: #"{"model": "usecase/ticket-triage", "messages": [{"role": "user", "content": "{\"subject\": \"Lost parcel\", \"body\": \"My parcel is lost.\"}"}]}"#,
                bearer: token)
        case "chat.passthrough":
            return try await gateway.send(
                .POST, "/v1/chat/completions", body: #"{"model": "mock/mock-model", "messages": [{"role": "user", "content": "Hello"}]}"#, bearer: token)
        case "models.list":
            return try await gateway.send(.GET, "/v1/models", bearer: token)
        case "invocation.read":
            return try await gateway.send(.GET, "/v1/invocations/\(fixture.invocationID)", bearer: token)
        case "usecase.summary":
            return try await gateway.send(.GET, "/v1/usecases/ticket-triage/summary", bearer: token)
        case "admin.keys.list":
            return try await gateway.send(.GET, "/v1/admin/keys", bearer: token)
        case "admin.keys.create":
            return try await gateway.send(
                .POST, "/v1/admin/keys", body: #"{"name": "made-\#(UUID().uuidString.prefix(8))", "role": "viewer", "use_cases": ["ticket-triage"]}"#,
                bearer: token)
        case "admin.keys.rotate":
            return try await gateway.send(.POST, "/v1/admin/keys/\(try await victim())/rotate", body: #"{"grace": "0s"}"#, bearer: token)
        case "admin.keys.revoke":
            return try await gateway.send(.POST, "/v1/admin/keys/\(try await victim())/revoke", bearer: token)
        case "admin.erasure":
            return try await gateway.send(.POST, "/v1/admin/erasure", body: #"{"subject": "C-00000"}"#, bearer: token)
        case "admin.audit.verify":
            return try await gateway.send(.GET, "/v1/admin/audit/verify", bearer: token)
        case "admin.config.reload":
            return try await gateway.send(.POST, "/v1/admin/reload", bearer: token)
        default:
            Issue.record("no request for \(endpoint)")
            return TestResponse(status: 0, headers: [], body: "")
        }
    }

    @Test func everyEndpointTimesEveryRoleTimesScopeMatchesTheTable() async throws {
        try await withFixture { fixture in
            var cells = 0
            for (index, row) in Self.table.enumerated() {
                for role in Role.allCases {
                    for scope in Scope.allCases {
                        let response = try await call(row.endpoint, fixture, token: fixture.tokens["\(role.rawValue)/\(scope.rawValue)"])
                        let outcome = Self.expected(index, role, scope)
                        let label = "\(row.endpoint) as \(role.rawValue) \(scope.rawValue): \(response.status) \(response.body.prefix(200))"
                        switch outcome {
                        case .allow:
                            #expect((200..<300).contains(response.status), "\(label)")
                        case .deny:
                            let denial = row.endpoint == "invocation.read" ? 404 : 403
                            #expect(response.status == denial, "\(label)")
                            // A denial names neither the use case nor the provider it was about.
                            #expect(!response.body.contains("ticket-triage") && !response.body.contains("mock"), "\(label)")
                        }
                        cells += 1
                    }
                }
            }
            #expect(cells == Self.table.count * Role.allCases.count * 2)
        }
    }

    @Test func missingUnknownAndRevokedKeysGetTheSame401Everywhere() async throws {
        try await withFixture { fixture in
            let revoked = try await fixture.keys.create(.init(name: "soon-revoked", role: .admin, useCases: nil), actor: AuditActor(id: "test"))
            _ = try await fixture.keys.revoke(id: revoked.key.id, actor: AuditActor(id: "test"))
            let existingID = try #require(APIKeyTokenShape.keyID(fixture.tokens["admin/in-scope"]!))
            let wrongSecret = "ghk_\(existingID)_" + String(repeating: "A", count: 43)
            let unknownID = "ghk_key_0123456789abcdef_" + String(repeating: "A", count: 43)
            for row in Self.table {
                var bodies: Set<String> = []
                for token in [wrongSecret, unknownID, revoked.token, "not-a-key"] {
                    let response = try await call(row.endpoint, fixture, token: token)
                    #expect(response.status == 401, "\(row.endpoint)")
                    bodies.insert(response.json?["error"]?["message"]?.stringValue ?? "")
                }
                // Whether the key id exists, the secret is wrong, or the key is revoked: one answer.
                #expect(bodies == ["Invalid API key."], "\(row.endpoint): \(bodies)")
                let missing = try await call(row.endpoint, fixture, token: nil)
                #expect(missing.status == 401 && missing.errorCode == "missing_api_key", "\(row.endpoint)")
            }
        }
    }

    @Test func outOfScopeUseCaseGetsTheSame403WhetherOrNotItExists() async throws {
        try await withFixture { fixture in
            let token = fixture.tokens["app/in-scope"]
            let existing = try await fixture.gateway.send(.POST, "/v1/usecases/llm-triage/invoke", body: TestConfigurations.ticket, bearer: token)
            let missing = try await fixture.gateway.send(.POST, "/v1/usecases/no-such-case/invoke", body: TestConfigurations.ticket, bearer: token)
            #expect(existing.status == 403 && missing.status == 403)
            #expect(existing.json?["error"] == missing.json?["error"])
            // An admin (every use case in scope) learns that an id is unknown.
            let admin = try await fixture.gateway.send(.POST, "/v1/usecases/no-such-case/invoke", body: TestConfigurations.ticket, bearer: fixture.tokens["admin/in-scope"])
            #expect(admin.status == 404)
        }
    }

    @Test func clearanceBelowTheUseCaseClassIsRefused() async throws {
        try await withFixture { fixture in
            let low = try await fixture.keys.create(
                .init(name: "public-only", role: .app, useCases: ["ticket-triage"], providers: ["mock"], clearance: .public), actor: AuditActor(id: "test"))
            let response = try await fixture.gateway.send(
                .POST, "/v1/usecases/ticket-triage/invoke", body: TestConfigurations.ticket, bearer: low.token)
            #expect(response.status == 403)
            #expect(response.body.contains("clearance"))
            // Passthrough carries up to the key's clearance: a restricted key may not send to a provider cleared for public and internal only.
            let high = try await fixture.keys.create(
                .init(name: "restricted", role: .app, useCases: ["ticket-triage"], providers: ["mock"], clearance: .restricted), actor: AuditActor(id: "test"))
            let passthrough = try await fixture.gateway.send(
                .POST, "/v1/chat/completions", body: #"{"model": "mock/mock-model", "messages": [{"role": "user", "content": "Hi"}]}"#, bearer: high.token)
            #expect(passthrough.status == 403)
        }
    }

    @Test func viewersNeverSeePayloadsAdminsDo() async throws {
        try await withFixture { fixture in
            // llm-triage logs full payloads; make one invocation there with the admin key.
            let made = try await fixture.gateway.send(
                .POST, "/v1/usecases/llm-triage/invoke", body: TestConfigurations.ticket, bearer: fixture.tokens["admin/in-scope"])
            let id = try #require(made.json?["invocation_id"]?.stringValue)
            let asAdmin = try await fixture.gateway.send(.GET, "/v1/invocations/\(id)", bearer: fixture.tokens["admin/in-scope"])
            #expect(asAdmin.json?["input"]?["subject"] == "Refund missing")
            // Stored payloads carry their expiry from the contract's retention days.
            let row = try #require(try await fixture.gateway.runtime.ledger.entry(id: id))
            let expiry = try #require(row.payloadExpiresAt)
            #expect(expiry.timeIntervalSince(row.createdAt) > 86_400 - 1)
            let viewer = try await fixture.keys.create(.init(name: "llm-viewer", role: .viewer, useCases: ["llm-triage"]), actor: AuditActor(id: "test"))
            let asViewer = try await fixture.gateway.send(.GET, "/v1/invocations/\(id)", bearer: viewer.token)
            #expect(asViewer.status == 200)
            #expect(asViewer.json?["decision"] != nil && asViewer.json?["stage_timings_ms"] != nil)
            #expect(asViewer.json?["input"] == nil && !asViewer.body.contains("Refund missing"))
        }
    }

    @Test func rotationKeepsTheOldSecretForTheGracePeriodAndRevocationIsImmediate() async throws {
        try await withFixture { fixture in
            let gateway = fixture.gateway
            let admin = fixture.tokens["admin/in-scope"]
            let created = try await gateway.send(
                .POST, "/v1/admin/keys", body: #"{"name": "helpdesk-prod", "role": "app", "use_cases": ["ticket-triage"], "team": "support", "expires": "90d"}"#,
                bearer: admin)
            #expect(created.status == 201)
            let id = try #require(created.json?["key"]?["id"]?.stringValue)
            let old = try #require(created.json?["secret"]?.stringValue)
            #expect(old.hasPrefix("ghk_") && old.count >= 4 + 20 + 1 + 43)  // 32 random bytes in base64url
            func invoke(_ token: String) async throws -> Int {
                try await gateway.send(.POST, "/v1/usecases/ticket-triage/invoke", body: TestConfigurations.ticket, bearer: token).status
            }
            #expect(try await invoke(old) == 200)

            let rotated = try await gateway.send(.POST, "/v1/admin/keys/\(id)/rotate", body: #"{"grace": "2s"}"#, bearer: admin)
            #expect(rotated.status == 200)
            let new = try #require(rotated.json?["secret"]?.stringValue)
            #expect(new != old)
            #expect(try await invoke(new) == 200)
            #expect(try await invoke(old) == 200)  // within the grace period
            try await Task.sleep(for: .milliseconds(2300))
            #expect(try await invoke(old) == 401)  // grace over
            #expect(try await invoke(new) == 200)

            let revoked = try await gateway.send(.POST, "/v1/admin/keys/\(id)/revoke", bearer: admin)
            #expect(revoked.status == 200 && revoked.json?["key"]?["status"] == "revoked")
            #expect(try await invoke(new) == 401)  // the very next request

            // The listing never shows secrets or digests.
            let list = try await gateway.send(.GET, "/v1/admin/keys", bearer: admin)
            #expect(!list.body.contains(new) && !list.body.contains(old) && !list.body.contains("digest") && !list.body.contains("salt"))
            // Each change is in the audit log, chained and intact.
            let events = try await gateway.runtime.store.auditEvents()
            let actions = events.map { (try? JSONValue.parse($0.content))?["action"]?.stringValue ?? "" }
            #expect(actions.contains("key.create") && actions.contains("key.rotate") && actions.contains("key.revoke"))
            let verification = try await gateway.send(.GET, "/v1/admin/audit/verify", bearer: admin)
            #expect(verification.json?["intact"] == true)
        }
    }

    @Test func reloadAppliesAValidConfigurationAndRefusesAnInvalidOne() async throws {
        try await withFixture { fixture in
            let gateway = fixture.gateway
            let admin = fixture.tokens["admin/in-scope"]
            let contract = gateway.directory + "/usecases/ticket-triage/usecase.yaml"
            let original = try String(contentsOfFile: contract, encoding: .utf8)
            // Invalid on disk: refused with the check messages, and the running configuration keeps serving.
            try original.replacingOccurrences(of: "stable_variant:", with: "stable_varient:").write(toFile: contract, atomically: true, encoding: .utf8)
            let refused = try await gateway.send(.POST, "/v1/admin/reload", bearer: admin)
            #expect(refused.status == 400 && refused.errorCode == "invalid_configuration")
            #expect(refused.body.contains("usecases/ticket-triage/usecase.yaml:") && refused.body.contains("did you mean 'stable_variant'"))
            #expect(try await gateway.send(.POST, "/v1/usecases/ticket-triage/invoke", body: TestConfigurations.ticket, bearer: admin).status == 200)
            // Valid: a new purpose text changes nothing visible, a stricter escalation threshold does.
            try original.replacingOccurrences(of: "min_confidence:", with: "min_confidence: 0.999 #")
                .write(toFile: contract, atomically: true, encoding: .utf8)
            let reloaded = try await gateway.send(.POST, "/v1/admin/reload", bearer: admin)
            #expect(reloaded.status == 200, "\(reloaded.body)")
            #expect(reloaded.json?["use_cases"]?["ticket-triage"]?.stringValue?.hasPrefix("local-classifier@") == true)
            let after = try await gateway.send(.POST, "/v1/usecases/ticket-triage/invoke", body: TestConfigurations.ticket, bearer: admin)
            #expect(after.json?["decision"] == "escalated", "\(after.body)")
            let actions = try await gateway.runtime.store.auditEvents().compactMap { (try? JSONValue.parse($0.content))?["action"]?.stringValue }
            #expect(actions.filter { $0 == "config.reload" }.count == 2)
        }
    }

    @Test func adminAPIRejectsBadRequestsClearly() async throws {
        try await withFixture { fixture in
            let admin = fixture.tokens["admin/in-scope"]
            let cases: [(String, String)] = [
                (#"{"name": "x", "role": "superuser", "use_cases": ["ticket-triage"]}"#, "role"),
                (#"{"name": "x", "role": "app", "use_cases": ["no-such-case"]}"#, "use_cases"),
                (#"{"name": "x", "role": "app", "use_cases": []}"#, "use_cases"),
                (#"{"name": "x y", "role": "app", "use_cases": ["ticket-triage"]}"#, "name"),
                (#"{"name": "x", "role": "app", "use_cases": ["ticket-triage"], "expires": "soon"}"#, "expires"),
                (#"{"name": "x", "role": "app", "use_cases": ["ticket-triage"], "colour": "red"}"#, "colour"),
            ]
            for (body, param) in cases {
                let response = try await fixture.gateway.send(.POST, "/v1/admin/keys", body: body, bearer: admin)
                #expect(response.status == 400, "\(body)")
                #expect(response.json?["error"]?["param"]?.stringValue == param, "\(body): \(response.body)")
            }
            let duplicate = try await fixture.gateway.send(
                .POST, "/v1/admin/keys", body: #"{"name": "app-in-scope", "role": "app", "use_cases": ["ticket-triage"]}"#, bearer: admin)
            #expect(duplicate.status == 409)
            let unknown = try await fixture.gateway.send(.POST, "/v1/admin/keys/key_0000000000000000/revoke", bearer: admin)
            #expect(unknown.status == 404)
        }
    }
}

/// Reads the key id out of a managed token (`ghk_<key id>_<secret>`).
enum APIKeyTokenShape {
    static func keyID(_ token: String) -> String? {
        guard token.hasPrefix("ghk_") else { return nil }
        let rest = token.dropFirst(4)
        return String(rest.prefix(20))
    }
}
