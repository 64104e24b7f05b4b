import Foundation
import Core
import Testing

@testable import Pipeline

@Suite struct InvocationPipelineTests {
    func run(_ payload: InvocationPayload, token: String? = "good", useCaseID: String = "triage", environment: PipelineEnvironment) async -> InvocationContext {
        let context = InvocationContext(route: .invoke, bearerToken: token, useCaseID: useCaseID, payload: payload)
        return await InvocationPipeline().run(context, environment: environment)
    }

    @Test func answersWithDerivedFieldsCostAndLedgerRow() async throws {
        let router = ScriptedRouter(["gpt-x": [Fixtures.text(#"```json\n{"category": "billing"}\n```"#)]])
        let ledger = MemoryLedger()
        let environment = Fixtures.environment(try Fixtures.useCase(), router: router, ledger: ledger)
        let result = await run(Fixtures.body(Fixtures.validBody), environment: environment)
        #expect(result.error == nil)
        #expect(result.decision == .answered)
        #expect(result.output == ["category": "billing", "team": "finance"])
        #expect(abs(result.costUSD - (100 * 1 + 10 * 2) / 1e6) < 1e-12)
        let row = try #require(ledger.rows.withLock { $0.first })
        #expect(row.id == result.id)
        #expect(row.decision == .answered)
        #expect(row.inputPayload == "digest(52)")  // HMAC of the 52-byte canonical input, not the input itself
        #expect(Set(row.stageTimings.keys) == ["authenticate", "validate_input", "guard_input", "select_variant", "admit", "call_model", "validate_output", "guard_output", "decide"])
        #expect(result.stageTimings.map(\.stage).last == "record")
    }

    @Test func rendersPromptTemplateFromInput() async throws {
        let router = ScriptedRouter(["gpt-x": [Fixtures.text(#"{"category": "shipping"}"#)]])
        _ = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(try Fixtures.useCase(), router: router))
        let request = try #require(router.calls.withLock { $0.first })
        #expect(request.messages.map(\.role) == ["system", "user"])
        #expect(request.messages[1].text == "Refund\nPlease refund my order")
    }

    @Test func authenticationAndScopeComeFirst() async throws {
        let environment = Fixtures.environment(try Fixtures.useCase(), router: ScriptedRouter([:]))
        let missing = await run(Fixtures.body("not json"), token: nil, environment: environment)
        #expect(missing.error?.status == 401)
        #expect(missing.decision == .blocked)
        let bad = await run(Fixtures.body(Fixtures.validBody), token: "nope", environment: environment)
        #expect(bad.error?.code == .invalidAPIKey)
        let unknown = await run(Fixtures.body(Fixtures.validBody), useCaseID: "nope", environment: environment)
        #expect(unknown.error?.status == 404)
        let scoped = await run(Fixtures.body(Fixtures.validBody), token: "narrow", environment: environment)
        #expect(scoped.error?.status == 403)
    }

    /// `gatehouse check` refuses a contract that routes data to a provider not cleared for it; a
    /// configuration built another way must still not send it there.
    @Test func providerNotClearedForTheInputClassIsNeverCalled() async throws {
        var useCase = try Fixtures.useCase(fallback: nil)
        useCase.dataPolicy.inputClassification = .confidential
        let router = ScriptedRouter(["gpt-x": [Fixtures.text(#"{"category": "billing"}"#)]])
        var environment = Fixtures.environment(useCase, router: router)
        environment.configuration.providers[0].dataClasses = [.public, .internal]
        let context = await run(Fixtures.body(Fixtures.validBody), environment: environment)
        #expect(router.calls.withLock { $0.isEmpty })
        #expect(context.error?.status == 503)
        #expect(context.error?.message.contains("cleared for confidential data") == true)
        // Cleared: the same call goes through.
        environment.configuration.providers[0].dataClasses = [.confidential]
        let cleared = await run(Fixtures.body(Fixtures.validBody), environment: environment)
        #expect(cleared.decision == .answered)
    }

    @Test func clearanceBelowTheInputClassIsForbidden() async throws {
        var useCase = try Fixtures.useCase()
        useCase.dataPolicy.inputClassification = .restricted
        let environment = Fixtures.environment(useCase, router: ScriptedRouter([:]))
        let context = await run(Fixtures.body(Fixtures.validBody), environment: environment)
        #expect(context.error?.status == 403)
    }

    @Test(arguments: [
        ("{not json", "malformed_json", "$"),
        (#"{"input": {"subject": 3, "body": "x"}}"#, "invalid_input", "$.input.subject"),
        (#"{"input": {"subject": "x"}}"#, "invalid_input", "$.input"),
        (#"{"input": {"subject": "x", "body": "y", "extra": 1}}"#, "invalid_input", "$.input"),
        (#"{"inputs": {}}"#, "invalid_request", "$.inputs"),
        (#"[1, 2]"#, "invalid_request", "$"),
    ])
    func rejectsBadInputWithPath(body: String, code: String, pathPrefix: String) async throws {
        let ledger = MemoryLedger()
        let environment = Fixtures.environment(try Fixtures.useCase(), router: ScriptedRouter([:]), ledger: ledger)
        let result = await run(Fixtures.body(body), environment: environment)
        #expect(result.error?.status == 400)
        #expect(result.error?.code.rawValue == code)
        if code != "malformed_json" {
            #expect(result.error?.param?.hasPrefix(pathPrefix) == true)
        }
        #expect(ledger.rows.withLock { $0.count } == 1)
    }

    @Test func invalidUTF8IsMalformed() async throws {
        let environment = Fixtures.environment(try Fixtures.useCase(), router: ScriptedRouter([:]))
        let result = await run(.invokeBody([0x7B, 0xFF, 0xFE, 0x7D]), environment: environment)
        #expect(result.error?.code == .malformedJSON)
    }

    @Test func repairAttemptFixesInvalidOutput() async throws {
        let router = ScriptedRouter(["gpt-x": [Fixtures.text(#"{"category": "weather"}"#), Fixtures.text(#"{"category": "shipping"}"#)]])
        let result = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(try Fixtures.useCase(), router: router))
        #expect(result.decision == .answered)
        #expect(result.output?["category"] == "shipping")
        let repair = try #require(router.calls.withLock { $0.last })
        #expect(repair.messages.count == 4)
        #expect(repair.messages[3].text.contains("weather"))
        #expect(result.attempts.count == 2)
    }

    @Test func invalidAfterRepairFallsBackToLocal() async throws {
        let router = ScriptedRouter([
            "gpt-x": [Fixtures.text("no json here"), Fixtures.text("still none")],
            "triage/local": [Fixtures.local("billing", confidence: 0.9)],
        ])
        let result = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(try Fixtures.useCase(), router: router))
        #expect(result.decision == .fallback)
        #expect(result.answeringVariant?.name == "local")
    }

    @Test func invalidAfterRepairWithoutFallbackIs502() async throws {
        let router = ScriptedRouter(["gpt-x": [Fixtures.text("{}"), Fixtures.text("{}")]])
        let result = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(try Fixtures.useCase(fallback: nil), router: router))
        #expect(result.error?.status == 502)
        #expect(result.error?.code == .invalidModelOutput)
        #expect(result.decision == .failed)
    }

    @Test func providerFailureUsesDegradedMode() async throws {
        let router = ScriptedRouter([
            "gpt-x": [.fail(.http(status: 503, retryAfterSeconds: nil, message: "down"))],
            "triage/local": [Fixtures.local("shipping", confidence: 0.8)],
        ])
        let ledger = MemoryLedger()
        let result = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(try Fixtures.useCase(), router: router, ledger: ledger))
        #expect(result.decision == .fallback)
        #expect(result.output?["team"] == "logistics")
        let row = try #require(ledger.rows.withLock { $0.first })
        #expect(row.decision == .fallback)
        #expect(row.attempts.count == 2)
        #expect(row.variant == "local")
    }

    @Test(arguments: [
        (ProviderError.connection("refused"), false, 503),
        (ProviderError.malformedResponse("bad"), false, 502),
        (ProviderError.timeout, true, 504),
        (ProviderError.circuitOpen, false, 503),
    ])
    func noFallbackMapsToStatus(error: ProviderError, deadline: Bool, status: Int) async throws {
        let router = ScriptedRouter(["gpt-x": [.fail(error, deadlineExceeded: deadline)]])
        let result = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(try Fixtures.useCase(fallback: nil), router: router))
        #expect(result.error?.status == status)
        #expect(result.decision == .failed)
    }

    @Test func lowConfidenceAndAlwaysReviewEscalate() async throws {
        let policy = EscalationPolicy(minConfidence: 0.6, alwaysReview: [FieldCondition(field: "category", test: .equals("shipping"))])
        let useCase = try Fixtures.useCase(escalation: policy)
        var useCaseLocal = useCase
        useCaseLocal.stableVariant = "local"
        let low = ScriptedRouter(["triage/local": [Fixtures.local("billing", confidence: 0.4)]])
        let lowResult = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(useCaseLocal, router: low))
        #expect(lowResult.decision == .escalated)
        #expect(lowResult.escalationReasons.count == 1)
        let review = ScriptedRouter(["triage/local": [Fixtures.local("shipping", confidence: 0.95)]])
        let reviewResult = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(useCaseLocal, router: review))
        #expect(reviewResult.decision == .escalated)
        let fine = ScriptedRouter(["triage/local": [Fixtures.local("billing", confidence: 0.95)]])
        let fineResult = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(useCaseLocal, router: fine))
        #expect(fineResult.decision == .answered)
        #expect(fineResult.confidence == 0.95)
    }

    @Test(arguments: [DataPolicy.PayloadLogging.none, .hashed, .full, .redacted])
    func payloadLoggingFollowsPolicy(mode: DataPolicy.PayloadLogging) async throws {
        let router = ScriptedRouter(["gpt-x": [Fixtures.text(#"{"category": "billing"}"#)]])
        let ledger = MemoryLedger()
        _ = await run(Fixtures.body(Fixtures.validBody), environment: Fixtures.environment(try Fixtures.useCase(payloadLogging: mode), router: router, ledger: ledger))
        let row = try #require(ledger.rows.withLock { $0.first })
        #expect(row.payloadMode == mode.rawValue)
        switch mode {
        case .none: #expect(row.inputPayload == nil && row.outputPayload == nil)
        case .redacted:
            // Stored with personal data replaced; this input has none, so it is stored as is.
            #expect(row.inputPayload?.contains("Please refund my order") == true && row.outputPayload?.contains("billing") == true)
        case .hashed: #expect(row.inputPayload?.hasPrefix("digest(") == true && row.outputPayload?.hasPrefix("digest(") == true)
        case .full: #expect(row.inputPayload?.contains("Please refund my order") == true)
        }
    }
}

@Suite struct InvocationIDTests {
    @Test func idsAreWellFormedUniqueAndInCreationOrder() {
        // One id per millisecond (the half keeps the instant clear of rounding to the previous one).
        let ids = (0..<2000).map { InvocationContext.newID(now: Date(timeIntervalSince1970: (1_800_000_000_000 + Double($0) + 0.5) / 1000)) }
        #expect(Set(ids).count == ids.count)
        let inOrder = ids == ids.sorted()
        #expect(inOrder, "ids of later milliseconds sort after earlier ones")
        for id in ids.prefix(10) {
            #expect(id.hasPrefix("inv_") && id.count == 28)
            #expect(id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
        // The first 12 hex digits are the creation time in milliseconds.
        #expect(UInt64(ids[0].dropFirst(4).prefix(12), radix: 16) == 1_800_000_000_000)
    }
}

@Suite struct TopicFoldTests {
    @Test func asciiFastPathFoldsLikeTheGeneralPath() {
        let samples = [
            "", "Refund", "  Should I SUE them?? ", "order #NL-48213, 2x items; e-mail: a.b@example.com",
            "tabs\tand\nnew lines", "What dosage of X-42 is safe", "___", "a", "ALL CAPS 123 end.",
        ]
        for sample in samples {
            #expect(TopicMatcher.foldASCII(sample) == TopicMatcher.foldUnicode(sample), "\(sample)")
        }
        #expect(TopicMatcher.foldASCII("café") == nil)
        #expect(TopicMatcher.fold("Ça coûte CHER") == TopicMatcher.foldUnicode("Ça coûte CHER"))
        #expect(TopicMatcher.mentions(TopicMatcher.fold("Should I sue my landlord?"), any: ["should I sue"]))
        #expect(!TopicMatcher.mentions(TopicMatcher.fold("issue a refund"), any: ["sue"]))
    }
}
