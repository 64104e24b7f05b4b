import Core
import Foundation
import GRDB

/// What `audit verify` found: how many events it checked and the first problem, located.
public struct AuditVerification: Sendable, Hashable {
    public enum ProblemKind: String, Sendable, Hashable {
        /// An event's content no longer matches its hash, or its hash no longer has a valid MAC.
        case altered
        /// An event that Gatehouse did not write (its MAC does not verify) or a copy of an existing one.
        case inserted
        /// Events missing from the chain (in the middle, or the newest ones according to the head anchor).
        case deleted
        /// Authentic events in a different order than they were written.
        case reordered
        /// The head anchor beside the database is missing, unreadable or forged.
        case anchor
    }

    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var kind: ProblemKind
        /// Sequence number of the first event found wrong (absent for a problem at the end of the log).
        public var sequence: Int64?
        public var eventID: String?
        public var message: String
        public var description: String { "\(kind.rawValue): \(message)" }
    }

    public var eventCount: Int
    public var headSequence: Int64?
    public var problem: Problem?
    public var isIntact: Bool { problem == nil }
}

/// The head of the chain as last written, MACed like the events.
struct AuditAnchor: Codable, Sendable {
    var sequence: Int64
    var hash: String
    var mac: String
}

extension SQLiteStore: AuditLog {
    public func append(_ drafts: [AuditEventDraft]) async throws {
        guard !drafts.isEmpty else { return }
        let head = try await pool.write { db in try self.appendAudit(drafts, in: db) }
        writeAnchor(head)
    }

    /// Appends sealed events inside the caller's write transaction; returns the new head.
    ///
    /// The chain's tail is read in the same transaction, and SQLite serialises write transactions
    /// across processes, so a CLI command and a running server never fork the chain.
    func appendAudit(_ drafts: [AuditEventDraft], in db: Database) throws -> AuditAnchor? {
        guard !drafts.isEmpty else { return nil }
        guard let sealer = auditSealer else { throw AuditLogError.noKey }
        // No anchor write here: this runs inside the write transaction, and a waiting anchor is
        // written by its timer (within `anchorInterval`) or superseded by this batch's own.
        let tail = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"))
        let insert = try db.cachedStatement(
            sql: "INSERT INTO audit_events (seq, event_id, at, action, content, prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        var previous: String = tail?["hash"] ?? AuditSealer.genesisHash
        var sequence: Int64 = tail?["seq"] ?? 0
        for draft in drafts {
            sequence += 1
            let id = "aud_" + InvocationIDs.random(hexCharacters: 20)
            let content = draft.canonicalJSON(id: id)
            let hash = sealer.hash(previous: previous, content: content)
            var row = SQLiteRowInsert(insert)
            row.bind(Int(sequence))
            row.bind(id)
            row.bind(Self.timestamp(draft.at))
            row.bind(draft.action)
            row.bind(content)
            row.bind(previous)
            row.bind(hash)
            row.bind(sealer.mac(hash))
            try row.run()
            previous = hash
        }
        return AuditAnchor(sequence: sequence, hash: previous, mac: sealer.mac("anchor:\(sequence):\(previous)"))
    }

    /// Written after the commit. Two processes may race and leave an older head: verification only
    /// requires the anchored event to be present, so a stale anchor weakens nothing else and never
    /// raises a false alarm.
    /// Writes the head anchor now (never an older head over a newer one); returns once it is written.
    func writeAnchor(_ anchor: AuditAnchor?) {
        guard let anchor else { return }
        anchorThrottle.withLock { state in
            if anchor.sequence > (state.pending?.sequence ?? -1) { state.pending = anchor }
        }
        anchorQueue.sync { writePendingAnchor() }
    }

    /// After a ledger batch: the anchor within `anchorInterval` of the last write (at once if the last
    /// write is older). Every file write runs on `anchorQueue`, never on the caller's thread: the
    /// ledger writer runs on Swift's cooperative pool, whose few threads also serve requests, and a
    /// file replaced atomically can take milliseconds.
    func writeAnchorSoon(_ anchor: AuditAnchor?) {
        guard let anchor else { return }
        // nil: a write is already scheduled; otherwise the delay before this one, and whether it is
        // the first of this process.
        let plan = anchorThrottle.withLock { state -> (delay: Duration, first: Bool)? in
            if anchor.sequence > (state.pending?.sequence ?? -1) { state.pending = anchor }
            guard !state.scheduled else { return nil }
            state.scheduled = true
            guard let last = state.lastWrite else { return (.zero, true) }
            return (max(.zero, Self.anchorInterval - (ContinuousClock.now - last)), false)
        }
        guard let plan else { return }
        if plan.first {
            // The first head of a process is written before returning: a short-lived command may
            // exit before the queue runs, and a log with events but no anchor reads as tampered.
            anchorQueue.sync { writePendingAnchor() }
        } else {
            anchorQueue.asyncAfter(deadline: .now() + .milliseconds(Int(plan.delay.milliseconds.rounded(.up)))) { self.writePendingAnchor() }
        }
    }

    /// Writes a waiting anchor at once (shutdown, verification); returns once it is written.
    public func flushAuditAnchor() {
        anchorQueue.sync { writePendingAnchor() }
    }

    /// Runs on `anchorQueue` only, so writes are serial; the lock is not held during file I/O.
    private func writePendingAnchor() {
        let anchor = anchorThrottle.withLock { state -> AuditAnchor? in
            state.scheduled = false
            defer { state.pending = nil }
            guard let pending = state.pending, pending.sequence > state.writtenSequence else { return nil }
            return pending
        }
        guard let anchor, let data = try? JSONEncoder().encode(anchor) else { return }
        try? data.write(to: URL(fileURLWithPath: auditAnchorPath), options: .atomic)
        anchorThrottle.withLock { state in
            state.writtenSequence = max(state.writtenSequence, anchor.sequence)
            state.lastWrite = .now
        }
    }

    public func auditEvents(since: Date? = nil, until: Date? = nil) async throws -> [AuditEvent] {
        try await pool.read { db in
            var sql = "SELECT * FROM audit_events WHERE 1 = 1"
            var arguments: StatementArguments = []
            if let since {
                sql += " AND at >= ?"
                arguments += [Self.timestamp(since)]
            }
            if let until {
                sql += " AND at < ?"
                arguments += [Self.timestamp(until)]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY seq", arguments: arguments).map(Self.auditEvent(from:))
        }
    }

    static func auditEvent(from row: Row) -> AuditEvent {
        AuditEvent(
            sequence: row["seq"], id: row["event_id"], content: row["content"], previousHash: row["prev_hash"],
            hash: row["hash"], mac: row["mac"])
    }

    /// Checks the whole chain and the head anchor; reports the first event that was altered, deleted,
    /// inserted or reordered.
    public func verifyAudit() async throws -> AuditVerification {
        guard let sealer = auditSealer else { throw AuditLogError.noKey }
        // This process's waiting anchor goes to disk first (anchors after ledger batches are written
        // a moment later, on the anchor queue), so a head just appended here is checked too.
        flushAuditAnchor()
        // The anchor first: it is written after its events commit, so every event it names is in the
        // snapshot read next, even while a server keeps appending.
        let anchorData = FileManager.default.contents(atPath: auditAnchorPath)
        let events = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_events ORDER BY seq").map(Self.auditEvent(from:))
        }
        var sequenceOfHash: [String: Int64] = [:]
        for event in events where sequenceOfHash[event.hash] == nil { sequenceOfHash[event.hash] = event.sequence }
        func problem(_ kind: AuditVerification.ProblemKind, _ event: AuditEvent?, _ message: String) -> AuditVerification {
            AuditVerification(
                eventCount: events.count, headSequence: events.last?.sequence,
                problem: .init(kind: kind, sequence: event?.sequence, eventID: event?.id, message: message))
        }

        var expectedPrevious = AuditSealer.genesisHash
        var seenHashes: Set<String> = []
        for (index, event) in events.enumerated() {
            let label = "event #\(event.sequence) (\(event.id))"
            if sealer.hash(previous: event.previousHash, content: event.content) != event.hash {
                return problem(.altered, event, "\(label) was altered: its content no longer matches its hash")
            }
            if !sealer.isValid(mac: event.mac, for: event.hash) {
                let next = index + 1 < events.count ? events[index + 1] : nil
                if event.previousHash == expectedPrevious && next.map({ $0.previousHash == expectedPrevious }) ?? true {
                    return problem(.inserted, event, "\(label) was inserted: Gatehouse did not write it (its MAC does not verify)")
                }
                return problem(.altered, event, "\(label) was altered and re-hashed without the audit key (its MAC does not verify)")
            }
            if seenHashes.contains(event.hash) {
                return problem(.inserted, event, "\(label) was inserted: it is a copy of an earlier event")
            }
            if event.previousHash != expectedPrevious {
                if let predecessor = sequenceOfHash[event.previousHash] {
                    return problem(
                        .reordered, event,
                        "\(label) is out of order: it was written right after the event now at #\(predecessor)")
                }
                let after = index == 0 ? "the start of the log" : "event #\(events[index - 1].sequence)"
                return problem(.deleted, event, "events were deleted between \(after) and \(label)")
            }
            seenHashes.insert(event.hash)
            expectedPrevious = event.hash
        }

        guard let data = anchorData else {
            if events.isEmpty { return AuditVerification(eventCount: 0, headSequence: nil, problem: nil) }
            return problem(.anchor, nil, "the head anchor \(auditAnchorPath) is missing; the newest events cannot be checked")
        }
        guard let anchor = try? JSONDecoder().decode(AuditAnchor.self, from: data),
            sealer.isValid(mac: anchor.mac, for: "anchor:\(anchor.sequence):\(anchor.hash)")
        else {
            return problem(.anchor, nil, "the head anchor \(auditAnchorPath) is unreadable or forged")
        }
        if !seenHashes.contains(anchor.hash) {
            let last = events.last.map { "#\($0.sequence)" } ?? "the start"
            return problem(
                .deleted, nil,
                "the newest events were deleted: the log ends at \(last), but event #\(anchor.sequence) was written and is gone")
        }
        return AuditVerification(eventCount: events.count, headSequence: events.last?.sequence, problem: nil)
    }
}

public enum AuditLogError: Error, CustomStringConvertible {
    case noKey
    public var description: String { "the audit log needs its key (GATEHOUSE_AUDIT_KEY or audit-hmac.key in the data folder)" }
}

/// Random identifiers shared by the store's own records (unique, not secret: from `IDSource`, which
/// costs no system call).
enum InvocationIDs {
    static func random(hexCharacters: Int) -> String {
        var text = ""
        text.reserveCapacity(hexCharacters + 16)
        while text.utf8.count < hexCharacters {
            text += Hex.fixedWidth(IDSource.next(), digits: 16)
        }
        return String(text.prefix(hexCharacters))
    }
}
