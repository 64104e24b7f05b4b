import Core
import Foundation
import GRDB

/// One run of `gatehouse eval` on a variant version: its figures and whether every gate passed.
public struct EvaluationRecord: Sendable, Hashable {
    public var id: String
    public var useCase: String
    public var variant: String
    public var version: String
    /// SHA-256 of the dataset file: a promotion counts only evaluations on the contract's dataset.
    public var datasetDigest: String
    public var items: Int
    public var passed: Bool
    /// `{"metric": value}` as JSON.
    public var metrics: String
    /// `[{"gate", "value", "passed"}]` as JSON.
    public var gates: String
    public var actor: String
    public var createdAt: Date

    public init(
        id: String = UUID().uuidString.lowercased(), useCase: String, variant: String, version: String, datasetDigest: String, items: Int,
        passed: Bool, metrics: String, gates: String, actor: String, createdAt: Date = Date()
    ) {
        self.id = id
        self.useCase = useCase
        self.variant = variant
        self.version = version
        self.datasetDigest = datasetDigest
        self.items = items
        self.passed = passed
        self.metrics = metrics
        self.gates = gates
        self.actor = actor
        self.createdAt = createdAt
    }
}

/// The variant version a use case serves as stable, as last promoted.
public struct StableVariantRecord: Sendable, Hashable {
    public var useCase: String
    public var variant: String
    public var version: String
    /// The passing evaluation that allowed the promotion; nil for the first stable variant ever served.
    public var evaluationID: String?
    public var since: Date

    public init(useCase: String, variant: String, version: String, evaluationID: String?, since: Date) {
        self.useCase = useCase
        self.variant = variant
        self.version = version
        self.evaluationID = evaluationID
        self.since = since
    }
}

extension SQLiteStore {
    /// Records an evaluation and its audit event in one transaction.
    public func recordEvaluation(_ record: EvaluationRecord) async throws {
        let head = try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO evaluations (id, use_case, variant, version, dataset_digest, items, passed, metrics, gates, actor, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.id, record.useCase, record.variant, record.version, record.datasetDigest, record.items, record.passed ? 1 : 0,
                    record.metrics, record.gates, record.actor, Self.timestamp(record.createdAt),
                ])
            return try self.appendAudit(
                [
                    AuditEventDraft(
                        actor: record.actor, action: "evaluation.run", useCase: record.useCase, target: "\(record.variant)@\(record.version)",
                        outcome: record.passed ? "go" : "no-go", details: ["evaluation_id": .string(record.id), "items": .number(Double(record.items))])
                ], in: db)
        }
        writeAnchor(head)
    }

    /// The latest evaluation of a variant version on a dataset, if any.
    public func latestEvaluation(useCase: String, variant: String, version: String, datasetDigest: String) async throws -> EvaluationRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM evaluations WHERE use_case = ? AND variant = ? AND version = ? AND dataset_digest = ?
                    ORDER BY created_at DESC LIMIT 1
                    """,
                arguments: [useCase, variant, version, datasetDigest]
            ).map { row in
                EvaluationRecord(
                    id: row["id"], useCase: row["use_case"], variant: row["variant"], version: row["version"], datasetDigest: row["dataset_digest"],
                    items: row["items"], passed: (row["passed"] as Int) == 1, metrics: row["metrics"], gates: row["gates"], actor: row["actor"],
                    createdAt: Self.parseTimestamp(row["created_at"]))
            }
        }
    }

    public func stableVariant(useCase: String) async throws -> StableVariantRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM stable_variants WHERE use_case = ?", arguments: [useCase]).map { row in
                StableVariantRecord(
                    useCase: row["use_case"], variant: row["variant"], version: row["version"], evaluationID: row["evaluation_id"],
                    since: Self.parseTimestamp(row["since"]))
            }
        }
    }

    /// Records the stable variant of a use case with the audit event of the promotion, in one transaction.
    public func promoteStableVariant(_ record: StableVariantRecord, actor: String, previous: StableVariantRecord?) async throws {
        let head = try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO stable_variants (use_case, variant, version, evaluation_id, since) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(use_case) DO UPDATE SET variant = excluded.variant, version = excluded.version,
                        evaluation_id = excluded.evaluation_id, since = excluded.since
                    """,
                arguments: [record.useCase, record.variant, record.version, record.evaluationID, Self.timestamp(record.since)])
            var details: [String: JSONValue] = ["evaluation_id": record.evaluationID.map(JSONValue.string) ?? .null]
            if let previous { details["previous"] = .string("\(previous.variant)@\(previous.version)") }
            return try self.appendAudit(
                [
                    AuditEventDraft(
                        actor: actor, action: previous == nil ? "variant.stable_initial" : "variant.promote", useCase: record.useCase,
                        target: "\(record.variant)@\(record.version)", details: details)
                ], in: db)
        }
        writeAnchor(head)
    }
}

extension SQLiteStore {
    /// The latest evaluation of every (use case, variant, version), for the metrics endpoint.
    public func latestEvaluations() async throws -> [EvaluationRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.* FROM evaluations e
                    JOIN (SELECT use_case, variant, version, MAX(created_at) AS latest FROM evaluations GROUP BY use_case, variant, version) l
                      ON e.use_case = l.use_case AND e.variant = l.variant AND e.version = l.version AND e.created_at = l.latest
                    """
            ).map { row in
                EvaluationRecord(
                    id: row["id"], useCase: row["use_case"], variant: row["variant"], version: row["version"], datasetDigest: row["dataset_digest"],
                    items: row["items"], passed: (row["passed"] as Int) == 1, metrics: row["metrics"], gates: row["gates"], actor: row["actor"],
                    createdAt: Self.parseTimestamp(row["created_at"]))
            }
        }
    }

    /// Pending review items per use case: how many, and when the oldest was created.
    public func reviewQueueStats() async throws -> [String: (count: Int, oldest: Date)] {
        try await pool.read { db in
            var stats: [String: (count: Int, oldest: Date)] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT use_case, COUNT(*) AS n, MIN(created_at) AS oldest FROM review_items WHERE status = 'pending' GROUP BY use_case")
            {
                stats[row["use_case"]] = (row["n"], Self.parseTimestamp(row["oldest"]))
            }
            return stats
        }
    }
}
