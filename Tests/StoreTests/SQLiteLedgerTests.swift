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
