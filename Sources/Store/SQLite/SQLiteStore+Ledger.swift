import Core
import Foundation
import GRDB

extension SQLiteStore: LedgerStore {
    public func record(_ entry: LedgerEntry) async throws {
        try await record(batch: [entry])
    }

    /// Inserts rows in one transaction (the ledger writer's batches).
    public func record(batch: [LedgerEntry]) async throws {
        let rows = batch.map(Self.arguments)
        try await pool.write { db in
            for arguments in rows {
                try db.execute(sql: Self.insertSQL, arguments: arguments)
            }
        }
    }

    static let insertSQL = """
        INSERT INTO invocations (id, created_at, key_id, route, use_case, variant, variant_version, provider,
            model, decision, http_status, error_code, latency_ms, stage_timings, attempts, input_tokens,
            output_tokens, tokens_estimated, cost_usd, confidence, escalation_reasons, streamed,
            stream_outcome, payload_mode, input_payload, output_payload, trace_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func arguments(_ entry: LedgerEntry) -> StatementArguments {
        [
            entry.id, Self.timestamp(entry.createdAt), entry.keyID, entry.route.rawValue, entry.useCase, entry.variant,
            entry.variantVersion, entry.provider, entry.model, entry.decision.rawValue, entry.httpStatus,
            entry.errorCode, entry.latencyMilliseconds, Self.json(entry.stageTimings), Self.json(entry.attempts),
            entry.inputTokens, entry.outputTokens, entry.tokensEstimated, entry.costUSD, entry.confidence,
            Self.json(entry.escalationReasons), entry.streamed, entry.streamOutcome, entry.payloadMode,
            entry.inputPayload, entry.outputPayload, entry.traceID,
        ]
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
        LedgerEntry(
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
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
    }

    static func parseTimestamp(_ text: String) -> Date {
        (try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))) ?? Date(timeIntervalSince1970: 0)
    }
}
