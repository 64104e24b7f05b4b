import Foundation
import GRDB
import Store
import Testing

/// `gatehouse audit verify` against an audit log tampered with directly in the SQLite file, the way
/// someone with the file (but not the audit key) would: triggers dropped, rows edited, deleted,
/// forged, swapped.
@Suite struct AuditCommandTests {
    /// A demo store with six audit events: a bootstrap admin key and five viewer keys, one event each.
    static func storeWithSixEvents() throws -> URL {
        let scratch = try CLI.scratchDemo()
        #expect(try CLI.run(["keys", "bootstrap", "--config", scratch.path]).status == 0)
        for index in 1...5 {
            let result = try CLI.run(["keys", "create", "--config", scratch.path, "--role", "viewer", "--use-case", "ticket-triage", "--name", "viewer-\(index)"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        return scratch
    }

    static func tamper(_ scratch: URL, _ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: scratch.appendingPathComponent("data/gatehouse.sqlite").path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER audit_events_append_only_update; DROP TRIGGER audit_events_append_only_delete")
            try body(db)
        }
    }

    func verify(_ scratch: URL) throws -> CLI.Result {
        try CLI.run(["audit", "verify", "--config", scratch.path])
    }

    @Test func intactLogVerifies() throws {
        let scratch = try Self.storeWithSixEvents()
        let result = try verify(scratch)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("audit log intact: 6 event(s), head #6"))
    }

    @Test func appendOnlyTriggersRefuseEditsThroughSQLite() throws {
        let scratch = try Self.storeWithSixEvents()
        let queue = try DatabaseQueue(path: scratch.appendingPathComponent("data/gatehouse.sqlite").path)
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "DELETE FROM audit_events WHERE seq = 2") } }
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "UPDATE audit_events SET content = 'x' WHERE seq = 2") } }
    }

    @Test func alteredEventIsDetectedAndLocated() throws {
        let scratch = try Self.storeWithSixEvents()
        try Self.tamper(scratch) { db in
            try db.execute(sql: "UPDATE audit_events SET content = replace(content, '\"viewer\"', '\"admin\"') WHERE seq = 3")
            #expect(db.changesCount == 1)
        }
        let result = try verify(scratch)
        #expect(result.status == 1)
        #expect(result.stdout.contains("TAMPERED: altered: event #3"), "\(result.stdout)")
    }

    @Test func alteredAndRehashedEventIsDetectedByItsMAC() throws {
        let scratch = try Self.storeWithSixEvents()
        try Self.tamper(scratch) { db in
            // The attacker knows the hash algorithm and recomputes the hash, but not the audit key.
            let row = try #require(try Row.fetchOne(db, sql: "SELECT prev_hash, content FROM audit_events WHERE seq = 2"))
            let content = (row["content"] as String).replacingOccurrences(of: "\"viewer\"", with: "\"admin\"")
            let hash = AuditSealer(key: Array(repeating: 7, count: 32)).hash(previous: row["prev_hash"], content: content)
            try db.execute(sql: "UPDATE audit_events SET content = ?, hash = ? WHERE seq = 2", arguments: [content, hash])
        }
        let result = try verify(scratch)
        #expect(result.status == 1)
        #expect(result.stdout.contains("event #2"), "\(result.stdout)")
        #expect(result.stdout.contains("MAC does not verify"), "\(result.stdout)")
    }

    @Test func deletedEventIsDetectedAndLocated() throws {
        let scratch = try Self.storeWithSixEvents()
        try Self.tamper(scratch) { db in try db.execute(sql: "DELETE FROM audit_events WHERE seq = 4") }
        let result = try verify(scratch)
        #expect(result.status == 1)
        #expect(result.stdout.contains("TAMPERED: deleted: events were deleted between event #3 and event #5"), "\(result.stdout)")
    }

    @Test func deletedNewestEventsAreDetectedThroughTheHeadAnchor() throws {
        let scratch = try Self.storeWithSixEvents()
        try Self.tamper(scratch) { db in try db.execute(sql: "DELETE FROM audit_events WHERE seq >= 5") }
        let result = try verify(scratch)
        #expect(result.status == 1)
        #expect(result.stdout.contains("TAMPERED: deleted: the newest events were deleted: the log ends at #4, but event #6 was written"), "\(result.stdout)")
    }

    @Test func insertedEventIsDetectedAndLocated() throws {
        let scratch = try Self.storeWithSixEvents()
        try Self.tamper(scratch) { db in
            // Make room after #3 and slip in a forged event, correctly chained but MACed with a guessed key.
            try db.execute(sql: "UPDATE audit_events SET seq = seq + 100 WHERE seq > 3")
            try db.execute(sql: "UPDATE audit_events SET seq = seq - 99 WHERE seq > 100")
            let previous = try #require(try String.fetchOne(db, sql: "SELECT hash FROM audit_events WHERE seq = 3"))
            let content = #"{"action":"key.revoke","actor":"cli:mallory","actor_team":null,"at":"2026-11-25T00:00:00.000Z","details":{},"id":"aud_forged","outcome":"ok","target":"key_x","use_case":null}"#
            let sealer = AuditSealer(key: Array(repeating: 9, count: 32))
            let hash = sealer.hash(previous: previous, content: content)
            try db.execute(
                sql: "INSERT INTO audit_events (seq, event_id, at, action, content, prev_hash, hash, mac) VALUES (4, 'aud_forged', '2026-11-25T00:00:00.000Z', 'key.revoke', ?, ?, ?, ?)",
                arguments: [content, previous, hash, sealer.mac(hash)])
        }
        let result = try verify(scratch)
        #expect(result.status == 1)
        #expect(result.stdout.contains("TAMPERED: inserted: event #4 (aud_forged) was inserted"), "\(result.stdout)")
    }

    @Test func copiedEventIsDetectedAsInserted() throws {
        let scratch = try Self.storeWithSixEvents()
        try Self.tamper(scratch) { db in
            try db.execute(
                sql: "INSERT INTO audit_events (seq, event_id, at, action, content, prev_hash, hash, mac) SELECT 7, event_id, at, action, content, prev_hash, hash, mac FROM audit_events WHERE seq = 2")
        }
        let result = try verify(scratch)
        #expect(result.status == 1)
        #expect(result.stdout.contains("TAMPERED: inserted: event #7"), "\(result.stdout)")
    }

    @Test func reorderedEventsAreDetectedAndLocated() throws {
        let scratch = try Self.storeWithSixEvents()
        try Self.tamper(scratch) { db in
            try db.execute(sql: "UPDATE audit_events SET seq = 100 WHERE seq = 3")
            try db.execute(sql: "UPDATE audit_events SET seq = 3 WHERE seq = 4")
            try db.execute(sql: "UPDATE audit_events SET seq = 4 WHERE seq = 100")
        }
        let result = try verify(scratch)
        #expect(result.status == 1)
        #expect(result.stdout.contains("TAMPERED: reordered: event #3"), "\(result.stdout)")
        #expect(result.stdout.contains("written right after the event now at #4"), "\(result.stdout)")
    }

    @Test func exportWritesJSONLinesWithTheChainFields() throws {
        let scratch = try Self.storeWithSixEvents()
        let output = scratch.appendingPathComponent("audit.jsonl")
        let result = try CLI.run(["audit", "export", "--config", scratch.path, "--since", "1h", "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["action"] as? String == "key.create")
        #expect(first?["actor"] as? String != nil && first?["hash"] as? String != nil && first?["mac"] as? String != nil)
        #expect((first?["sequence"] as? Int) == 1)
        let future = try CLI.run(["audit", "export", "--config", scratch.path, "--since", "2999-01-01"])
        #expect(future.status == 0 && future.stdout.isEmpty)
        let bad = try CLI.run(["audit", "export", "--config", scratch.path, "--since", "yesterday"])
        #expect(bad.status == 2 && bad.stderr.contains("--since"))
    }
}
