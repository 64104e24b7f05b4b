import Core
import Foundation
import Store
import Testing

@Suite struct SQLiteLedgerTests {
    func temporaryDatabasePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)/gatehouse.sqlite").path
    }

    func sampleEntry(id: String, decision: Decision = .answered, createdAt: Date = Date()) -> LedgerEntry {
        LedgerEntry(
            id: id, createdAt: createdAt, keyID: "app-1", route: .invoke, useCase: "ticket-triage", variant: "local",
            variantVersion: "abc123", provider: "local", model: "ticket-triage/local", decision: decision, httpStatus: 200,
            errorCode: nil, latencyMilliseconds: 3.5, stageTimings: ["authenticate": 0.01, "call_model": 2.0],
            attempts: [AttemptRecord(provider: "local", model: "m", milliseconds: 2.0, error: nil)], inputTokens: 40,
            outputTokens: 5, tokensEstimated: true, costUSD: 0.00012, confidence: 0.91, escalationReasons: ["x"],
            streamed: false, streamOutcome: nil, payloadMode: "hashed", inputPayload: "hmac-sha256:ff", outputPayload: nil,
            traceID: "00-abc-def-01")
    }

    @Test func recordsAndReadsBackEveryField() async throws {
        let store = try SQLiteStore(path: temporaryDatabasePath())
        let entry = sampleEntry(id: "inv_1")
        try await store.record(entry)
        let read = try #require(try await store.entry(id: "inv_1"))
        #expect(read.keyID == "app-1")
        #expect(read.stageTimings == entry.stageTimings)
        #expect(read.attempts == entry.attempts)
        #expect(read.costUSD == entry.costUSD)
        #expect(read.confidence == 0.91)
        #expect(read.tokensEstimated)
        #expect(read.inputPayload == "hmac-sha256:ff")
        #expect(abs(read.createdAt.timeIntervalSince(entry.createdAt)) < 0.002)
        #expect(try await store.entry(id: "missing") == nil)
    }

    /// The JSON columns are written by hand and read back by JSONDecoder: every optional of an
    /// attempt, dates, escapes and an empty list must survive.
    @Test func ledgerJSONColumnsRoundTrip() async throws {
        let store = try SQLiteStore(path: temporaryDatabasePath())
        var entry = sampleEntry(id: "inv_json")
        entry.stageTimings = ["guard_input": 0.123_456, "call_model": 1_234.5, "quote\"d": 0]
        entry.attempts = [
            AttemptRecord(
                provider: "openai", model: "gpt-4o-mini", milliseconds: 12.75, error: "HTTP 503: \"overloaded\"\n",
                spanID: "00f067aa0ba902b7", parentSpanID: "53995c3f42cd8ad8", startedAt: Date(timeIntervalSince1970: 1_764_866_711.123)),
            AttemptRecord(provider: "local", model: "m", milliseconds: 0.5, error: nil),
        ]
        entry.escalationReasons = ["low_confidence", "policy: é/ü"]
        try await store.record(entry)
        let read = try #require(try await store.entry(id: "inv_json"))
        #expect(read.stageTimings == entry.stageTimings)
        #expect(read.attempts.count == 2)
        #expect(read.attempts[1] == entry.attempts[1])
        let first = read.attempts[0]
        #expect(first.error == entry.attempts[0].error)
        #expect(first.spanID == "00f067aa0ba902b7" && first.parentSpanID == "53995c3f42cd8ad8")
        #expect(abs(first.startedAt!.timeIntervalSince(entry.attempts[0].startedAt!)) < 0.000_001)
        #expect(read.escalationReasons == entry.escalationReasons)

        var empty = sampleEntry(id: "inv_empty")
        empty.stageTimings = [:]
        empty.attempts = []
        empty.escalationReasons = []
        try await store.record(empty)
        let readEmpty = try #require(try await store.entry(id: "inv_empty"))
        #expect(readEmpty.stageTimings.isEmpty && readEmpty.attempts.isEmpty && readEmpty.escalationReasons.isEmpty)
    }

    @Test func usesWALAndNamedMigrations() throws {
        let store = try SQLiteStore(path: temporaryDatabasePath())
        #expect(try store.journalMode() == "wal")
        #expect(try store.appliedMigrations() == ["001_create_invocations", "002_keys_audit_retention", "003_guard_report", "004_cache_hits", "005_review_items", "006_feedback", "007_evaluations"])
    }

    @Test func duplicateIDIsRejected() async throws {
        let store = try SQLiteStore(path: temporaryDatabasePath())
        try await store.record(sampleEntry(id: "inv_dup"))
        await #expect(throws: (any Error).self) { try await store.record(sampleEntry(id: "inv_dup")) }
    }

    @Test func concurrentWritesAllLand() async throws {
        let store = try SQLiteStore(path: temporaryDatabasePath())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask { try await store.record(sampleEntry(id: "inv_\(i)")) }
            }
            try await group.waitForAll()
        }
        #expect(try await store.recentEntries(limit: 1000).count == 200)
    }

    @Test func reopeningKeepsRowsAndDoesNotRemigrate() async throws {
        let path = temporaryDatabasePath()
        do {
            let store = try SQLiteStore(path: path)
            try await store.record(sampleEntry(id: "inv_keep", decision: .fallback))
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.entry(id: "inv_keep")?.decision == .fallback)
        try await reopened.checkWritable()
    }
}
