import Core
import Foundation
import GRDB
import Testing

@testable import Store

/// Ledger and audit rows are bound through SQLite's C API (`SQLiteRowInsert`), not GRDB's arguments:
/// every column must come back as it went in, NULL and empty text kept apart, and a failed insert
/// must surface as GRDB's `DatabaseError` so the writer still tells a duplicate from an outage.
@Suite struct SQLiteRowInsertTests {
    func temporaryDatabasePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rowinsert-\(UUID().uuidString)/gatehouse.sqlite").path
    }

    /// A whole number of milliseconds, as the ledger stores it.
    let createdAt = Date(timeIntervalSince1970: 1_764_866_711.123)

    func entry(id: String, allOptionals: Bool) -> LedgerEntry {
        var entry = LedgerEntry(
            id: id, createdAt: createdAt, keyID: allOptionals ? "app-é" : nil, route: .passthrough,
            useCase: allOptionals ? "" : nil, variant: allOptionals ? "v1 \"quoted\"" : nil, variantVersion: allOptionals ? "abc" : nil,
            provider: allOptionals ? "openai" : nil, model: allOptionals ? "gpt-4o-mini" : nil, decision: .escalated, httpStatus: 202,
            errorCode: allOptionals ? "" : nil, latencyMilliseconds: 12.345_678, stageTimings: ["call_model": 1.5],
            attempts: [AttemptRecord(provider: "p", model: "m", milliseconds: 1.25, error: nil)], inputTokens: Int(Int32.max) + 7,
            outputTokens: 0, tokensEstimated: allOptionals, costUSD: 0.000_123_4, confidence: allOptionals ? 0.25 : nil,
            escalationReasons: allOptionals ? ["low_confidence"] : [], streamed: allOptionals,
            streamOutcome: allOptionals ? "completed" : nil, payloadMode: "redacted",
            inputPayload: allOptionals ? "{\"text\":\"日本語 \\u0000 end\"}" : nil, outputPayload: allOptionals ? "" : nil,
            traceID: allOptionals ? "4bf92f3577b34da6a3ce929d0e0e4736" : nil)
        if allOptionals {
            entry.team = "support"
            entry.subjectDigest = "hmac-sha256:00ff"
            entry.payloadExpiresAt = Date(timeIntervalSince1970: 1_767_000_000.5)
            entry.guardReport = "{\"input_pii\":[\"email\"]}"
            entry.cacheHit = true
            entry.savedCostUSD = 0.5
        }
        return entry
    }

    @Test(arguments: [true, false]) func everyColumnReadsBackAsWritten(allOptionals: Bool) async throws {
        let store = try SQLiteStore(path: temporaryDatabasePath(), auditSealer: AuditSealer(key: Array(repeating: 7, count: 32)))
        let written = entry(id: "inv_row_\(allOptionals)", allOptionals: allOptionals)
        try await store.record(batch: [written, entry(id: "inv_second", allOptionals: !allOptionals)])
        var read = try #require(try await store.entry(id: written.id))
        // Timestamps are stored to the millisecond; the Double behind a Date may differ below that.
        #expect(abs(read.createdAt.timeIntervalSince(written.createdAt)) < 0.000_5)
        #expect(abs((read.payloadExpiresAt ?? .distantPast).timeIntervalSince(written.payloadExpiresAt ?? .distantPast)) < 0.000_5)
        read.createdAt = written.createdAt
        read.payloadExpiresAt = written.payloadExpiresAt
        #expect(read == written)
        // Empty text stays text, absent stays NULL, booleans are stored as GRDB stores them.
        let types = try store.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT typeof(use_case) AS u, typeof(output_payload) AS o, streamed, typeof(input_tokens) AS i FROM invocations WHERE id = ?",
                arguments: [written.id])
        }
        let row = try #require(types)
        #expect(row["u"] as String == (allOptionals ? "text" : "null"))
        #expect(row["o"] as String == (allOptionals ? "text" : "null"))
        #expect(row["streamed"] as Int == (allOptionals ? 1 : 0))
        #expect(row["i"] as String == "integer")
        // Each row left a sealed audit summary, and the chain verifies.
        let report = try await store.verifyAudit()
        #expect(report.eventCount == 2)
        #expect(report.isIntact)
    }

    @Test func aDuplicateIsAConstraintViolationAndTheStatementStaysUsable() async throws {
        let store = try SQLiteStore(path: temporaryDatabasePath())
        try await store.record(entry(id: "inv_dup", allOptionals: true))
        do {
            try await store.record(batch: [entry(id: "inv_new", allOptionals: false), entry(id: "inv_dup", allOptionals: false)])
            Issue.record("a duplicate id was accepted")
        } catch {
            #expect(SQLiteStore.isConstraintViolation(error))
            #expect("\(error)".contains("invocations.id"))
        }
        // The failed batch rolled back whole, and the cached statement is reset for the next one.
        #expect(try await store.entry(id: "inv_new") == nil)
        try await store.record(batch: [entry(id: "inv_new", allOptionals: false)])
        #expect(try await store.entry(id: "inv_new")?.decision == .escalated)
        #expect(try await store.entry(id: "inv_dup")?.keyID == "app-é")
    }
}
