import Core
import Foundation
import GRDB

extension SQLiteStore: LedgerStore {
    public func record(_ entry: LedgerEntry) async throws {
        try await record(batch: [entry])
    }

    /// Inserts rows in one transaction (the ledger writer's batches).
    public func record(batch: [LedgerEntry]) async throws {
        let sealed = auditSealer != nil
        // Rows and summaries are prepared on the database's writer thread, not the caller's: the
        // ledger writer's task runs on the event loops, where this work would delay the requests
        // served there by tens of microseconds at every batch.
        let head = try await pool.write { db in
            let insert = try db.cachedStatement(sql: Self.insertSQL)
            for entry in batch {
                var row = SQLiteRowInsert(insert)
                Self.bind(entry, to: &row)
                try row.run()
            }
            // Each invocation also leaves a summary in the audit log (who, what, when, result; no
            // payload), sealed in the same transaction as its row.
            return try self.appendAudit(sealed ? batch.map(Self.auditSummary) : [], in: db)
        }
        writeAnchorSoon(head)
    }

    static func auditSummary(_ entry: LedgerEntry) -> AuditEventDraft {
        var details: [String: JSONValue] = ["route": .string(entry.route.rawValue), "http_status": .number(Double(entry.httpStatus))]
        if let variant = entry.variant { details["variant"] = .string(variant) }
        if let version = entry.variantVersion { details["variant_version"] = .string(version) }
        if let provider = entry.provider { details["provider"] = .string(provider) }
        if let model = entry.model { details["model"] = .string(model) }
        if let code = entry.errorCode { details["error_code"] = .string(code) }
        return AuditEventDraft(
            at: entry.createdAt, actor: entry.keyID ?? "anonymous", actorTeam: entry.team, action: "invocation",
            useCase: entry.useCase, target: entry.id, outcome: entry.decision.rawValue, details: details)
    }

    static let insertSQL = """
        INSERT INTO invocations (id, created_at, key_id, route, use_case, variant, variant_version, provider,
            model, decision, http_status, error_code, latency_ms, stage_timings, attempts, input_tokens,
            output_tokens, tokens_estimated, cost_usd, confidence, escalation_reasons, streamed,
            stream_outcome, payload_mode, input_payload, output_payload, trace_id, team, subject_digest,
            payload_expires_at, guard_report, cache_hit, saved_cost_usd)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The row's values in `insertSQL`'s column order.
    static func bind(_ entry: LedgerEntry, to row: inout SQLiteRowInsert) {
        row.bind(entry.id)
        row.bind(Self.timestamp(entry.createdAt))
        row.bind(entry.keyID)
        row.bind(entry.route.rawValue)
        row.bind(entry.useCase)
        row.bind(entry.variant)
        row.bind(entry.variantVersion)
        row.bind(entry.provider)
        row.bind(entry.model)
        row.bind(entry.decision.rawValue)
        row.bind(entry.httpStatus)
        row.bind(entry.errorCode)
        row.bind(entry.latencyMilliseconds)
        row.bind(Self.json(entry.stageTimings))
        row.bind(Self.json(entry.attempts))
        row.bind(entry.inputTokens)
        row.bind(entry.outputTokens)
        row.bind(entry.tokensEstimated)
        row.bind(entry.costUSD)
        row.bind(entry.confidence)
        row.bind(Self.json(entry.escalationReasons))
        row.bind(entry.streamed)
        row.bind(entry.streamOutcome)
        row.bind(entry.payloadMode)
        row.bind(entry.inputPayload)
        row.bind(entry.outputPayload)
        row.bind(entry.traceID)
        row.bind(entry.team)
        row.bind(entry.subjectDigest)
        row.bind(entry.payloadExpiresAt.map(Self.timestamp))
        row.bind(entry.guardReport)
        row.bind(entry.cacheHit)
        row.bind(entry.savedCostUSD)
    }

    public func entry(id: String) async throws -> LedgerEntry? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM invocations WHERE id = ?", arguments: [id]).map(Self.entry(from:))
        }
    }

    public func recentEntries(limit: Int) async throws -> [LedgerEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM invocations ORDER BY created_at DESC, rowid DESC LIMIT ?", arguments: [limit])
                .map(Self.entry(from:))
        }
    }

    public func checkWritable() async throws {
        try await pool.write { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS readiness_probe (x INTEGER)")
            try db.execute(sql: "DELETE FROM readiness_probe")
        }
    }

    static func entry(from row: Row) -> LedgerEntry {
        var entry = LedgerEntry(
            id: row["id"], createdAt: parseTimestamp(row["created_at"]), keyID: row["key_id"],
            route: InvocationRoute(rawValue: row["route"]) ?? .invoke, useCase: row["use_case"], variant: row["variant"],
            variantVersion: row["variant_version"], provider: row["provider"], model: row["model"],
            decision: Decision(rawValue: row["decision"]) ?? .failed, httpStatus: row["http_status"],
            errorCode: row["error_code"], latencyMilliseconds: row["latency_ms"],
            stageTimings: decode(row["stage_timings"]) ?? [:], attempts: decode(row["attempts"]) ?? [],
            inputTokens: row["input_tokens"], outputTokens: row["output_tokens"], tokensEstimated: row["tokens_estimated"],
            costUSD: row["cost_usd"], confidence: row["confidence"],
            escalationReasons: decode(row["escalation_reasons"]) ?? [], streamed: row["streamed"],
            streamOutcome: row["stream_outcome"], payloadMode: row["payload_mode"], inputPayload: row["input_payload"],
            outputPayload: row["output_payload"], traceID: row["trace_id"])
        entry.team = row["team"]
        entry.subjectDigest = row["subject_digest"]
        entry.payloadExpiresAt = (row["payload_expires_at"] as String?).map(parseTimestamp)
        entry.guardReport = row["guard_report"]
        entry.cacheHit = row["cache_hit"] ?? false
        entry.savedCostUSD = row["saved_cost_usd"] ?? 0
        return entry
    }

    // The ledger's JSON columns, written member by member with Core's `JSONWriter` in the generic
    // sorted-key writer's order: a JSONEncoder, or a `JSONValue` dictionary, per row cost more than
    // the row's insert. `JSONDecoder` reads them back (`ledgerJSONColumnsRoundTrip` test);
    // `LedgerColumnJSONTests` holds the text equal to the generic writer's.
    static func json(_ timings: [String: Double]) -> String {
        var json = JSONWriter(capacity: 32 * timings.count + 2)
        json.beginObject()
        for stage in JSONValue.sortedKeys(timings.keys) {
            json.key(stage)
            json.number(timings[stage] ?? 0)
        }
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func json(_ list: [String]) -> String {
        var json = JSONWriter(capacity: 24 * list.count + 2)
        json.beginArray()
        for item in list { json.string(item) }
        json.endArray()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// As `AttemptRecord`'s synthesized `Encodable` writes it: absent optionals left out, the date as
    /// seconds since 2001-01-01 (JSONDecoder's default date strategy).
    static func json(_ attempts: [AttemptRecord]) -> String {
        var json = JSONWriter(capacity: 192 * attempts.count + 2)
        json.beginArray()
        for attempt in attempts {
            json.beginObject()
            if let error = attempt.error { json.member("error", error) }
            json.member("milliseconds", number: attempt.milliseconds)
            json.member("model", attempt.model)
            if let parentSpanID = attempt.parentSpanID { json.member("parentSpanID", parentSpanID) }
            json.member("provider", attempt.provider)
            if let spanID = attempt.spanID { json.member("spanID", spanID) }
            if let startedAt = attempt.startedAt { json.member("startedAt", number: startedAt.timeIntervalSinceReferenceDate) }
            json.endObject()
        }
        json.endArray()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func decode<T: Decodable>(_ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// ISO 8601 with milliseconds in UTC: sorts lexically in time order.
    static func timestamp(_ date: Date) -> String {
        UTCTimestamp.milliseconds(date)
    }

    static func parseTimestamp(_ text: String) -> Date {
        (try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))) ?? Date(timeIntervalSince1970: 0)
    }
}

extension SQLiteStore: PayloadRetentionStore {
    public func purgeExpiredPayloads(now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE invocations SET input_payload = NULL, output_payload = NULL, payload_expires_at = NULL
                    WHERE payload_expires_at IS NOT NULL AND payload_expires_at <= ?
                    """,
                arguments: [Self.timestamp(now)])
            return db.changesCount
        }
    }

    /// Clears the subject's payloads and records the erasure in one transaction, then checkpoints the
    /// WAL so the old pages leave the write-ahead log too (`secure_delete` has zeroed them in the file).
    public func erasePayloads(subjectDigest: String, audit: AuditEventDraft) async throws -> Int {
        let (count, head) = try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE invocations SET input_payload = NULL, output_payload = NULL, payload_expires_at = NULL
                    WHERE subject_digest = ? AND (input_payload IS NOT NULL OR output_payload IS NOT NULL)
                    """,
                arguments: [subjectDigest])
            let count = db.changesCount
            var draft = audit
            draft.details["rows"] = .number(Double(count))
            return (count, try self.appendAudit([draft], in: db))
        }
        writeAnchor(head)
        try await checkpoint()
        return count
    }

    /// Moves every page of the WAL into the database file and truncates the WAL.
    public func checkpoint() async throws {
        try await pool.barrierWriteWithoutTransaction { db in
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}

/// Aggregate figures of one use case over a period: what viewers read, never payloads.
public struct LedgerSummary: Sendable, Hashable {
    public var requests: Int
    public var decisions: [String: Int]
    public var statuses: [String: Int]
    public var latencyP50Milliseconds: Double?
    public var latencyP95Milliseconds: Double?
    public var inputTokens: Int
    public var outputTokens: Int
    public var costUSD: Double
}

extension SQLiteStore {
    public func summary(useCase: String, since: Date) async throws -> LedgerSummary {
        try await pool.read { db in
            let bound: StatementArguments = [useCase, Self.timestamp(since)]
            let filter = "FROM invocations WHERE use_case = ? AND created_at >= ?"
            let totals = try Row.fetchOne(
                db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(input_tokens), 0) AS i, COALESCE(SUM(output_tokens), 0) AS o, COALESCE(SUM(cost_usd), 0) AS c \(filter)",
                arguments: bound)
            var decisions: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT decision, COUNT(*) AS n \(filter) GROUP BY decision", arguments: bound) {
                decisions[row["decision"]] = row["n"]
            }
            var statuses: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT http_status, COUNT(*) AS n \(filter) GROUP BY http_status", arguments: bound) {
                statuses[String(row["http_status"] as Int)] = row["n"]
            }
            let latencies = try Double.fetchAll(db, sql: "SELECT latency_ms \(filter) ORDER BY latency_ms", arguments: bound)
            func percentile(_ p: Double) -> Double? {
                guard !latencies.isEmpty else { return nil }
                return latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
            }
            return LedgerSummary(
                requests: totals?["n"] ?? 0, decisions: decisions, statuses: statuses, latencyP50Milliseconds: percentile(0.5),
                latencyP95Milliseconds: percentile(0.95), inputTokens: totals?["i"] ?? 0, outputTokens: totals?["o"] ?? 0,
                costUSD: totals?["c"] ?? 0)
        }
    }
}

extension SQLiteStore {
    /// Total cost recorded for a use case since a date (budgets are seeded from it at start-up).
    public func spend(useCase: String, since: Date) async throws -> Double {
        try await spend(.useCase, value: useCase, since: since)
    }

    /// Total cost recorded for one use case, team, key or provider since a date.
    public func spend(_ dimension: SpendDimension, value: String, since: Date) async throws -> Double {
        try await pool.read { db in
            try Double.fetchOne(
                db, sql: "SELECT COALESCE(SUM(cost_usd), 0) FROM invocations WHERE \(dimension.rawValue) = ? AND created_at >= ?",
                arguments: [value, Self.timestamp(since)]) ?? 0
        }
    }

    /// Cost and counts grouped by a dimension since a date (spend reports).
    public func spendReport(by column: SpendDimension, since: Date) async throws -> [(group: String, requests: Int, costUSD: Double, inputTokens: Int, outputTokens: Int)] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(\(column.rawValue), '-') AS g, COUNT(*) AS n, COALESCE(SUM(cost_usd), 0) AS c,
                        COALESCE(SUM(input_tokens), 0) AS i, COALESCE(SUM(output_tokens), 0) AS o
                    FROM invocations WHERE created_at >= ? GROUP BY g ORDER BY c DESC, g
                    """,
                arguments: [Self.timestamp(since)]
            ).map { (group: $0["g"], requests: $0["n"], costUSD: $0["c"], inputTokens: $0["i"], outputTokens: $0["o"]) }
        }
    }
}

/// What a spend report groups by (ledger columns).
public enum SpendDimension: String, Sendable, CaseIterable {
    case useCase = "use_case"
    case team
    case key = "key_id"
    case provider
}
