import Core
import Foundation
import Store
import Testing

@Suite struct RetentionAndAuditTests {
    func store() throws -> SQLiteStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)/gatehouse.sqlite").path
        return try SQLiteStore(path: path, auditSealer: AuditSealer(key: Array(repeating: 1, count: 32)))
    }

    func entry(_ id: String, expires: Date?, subject: String? = nil) -> LedgerEntry {
        var entry = SQLiteLedgerTests().sampleEntry(id: id)
        entry.inputPayload = "{\"subject\":\"\(id)\"}"
        entry.outputPayload = "{\"category\":\"billing\"}"
        entry.payloadExpiresAt = expires
        entry.subjectDigest = subject
        entry.team = "support"
        return entry
    }

    @Test func purgeClearsOnlyExpiredPayloadsAndKeepsTheRows() async throws {
        let store = try store()
        let now = Date()
        try await store.record(batch: [
            entry("inv_old", expires: now.addingTimeInterval(-60)), entry("inv_new", expires: now.addingTimeInterval(86_400)),
            entry("inv_forever", expires: nil),
        ])
        #expect(try await store.purgeExpiredPayloads(now: now) == 1)
        let old = try #require(try await store.entry(id: "inv_old"))
        #expect(old.inputPayload == nil && old.outputPayload == nil)
        #expect(old.decision == .answered && old.costUSD == 0.00012 && old.team == "support")
        #expect(try await store.entry(id: "inv_new")?.inputPayload != nil)
        #expect(try await store.entry(id: "inv_forever")?.inputPayload != nil)
        #expect(try await store.purgeExpiredPayloads(now: now) == 0)
    }

    @Test func everyRecordedInvocationLeavesAnAuditSummaryWithoutPayload() async throws {
        let store = try store()
        try await store.record(batch: [entry("inv_a", expires: nil), entry("inv_b", expires: nil)])
        let events = try await store.auditEvents()
        #expect(events.count == 2)
        let first = try JSONValue.parse(events[0].content)
        #expect(first["action"] == "invocation" && first["actor"] == "app-1" && first["actor_team"] == "support")
        #expect(first["target"] == "inv_a" && first["use_case"] == "ticket-triage" && first["outcome"] == "answered")
        #expect(!events[0].content.contains("subject"))
        #expect(try await store.verifyAudit().isIntact)
    }

    @Test func withoutAnAuditKeyAppendsFailRatherThanWriteAnUnsealedEvent() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)/gatehouse.sqlite").path
        let store = try SQLiteStore(path: path)
        await #expect(throws: AuditLogError.self) { try await store.append([AuditEventDraft(actor: "x", action: "y")]) }
        // Ledger rows are still written (the audit summary needs a key; tools without one only read).
        try await store.record(entry("inv_1", expires: nil))
        #expect(try await store.entry(id: "inv_1") != nil)
    }
}
