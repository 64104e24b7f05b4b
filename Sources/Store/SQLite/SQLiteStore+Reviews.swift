import Core
import Foundation
import GRDB

extension SQLiteStore: ReviewStore {
    public func enqueue(_ item: ReviewItem) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO review_items (invocation_id, use_case, reason, created_at, status, input, output, callback_url)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [item.invocationID, item.useCase, item.reason, Self.timestamp(item.createdAt), item.status.rawValue, item.input, item.output, item.callbackURL])
        }
    }

    public func reviewItem(_ invocationID: String) async throws -> ReviewItem? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM review_items WHERE invocation_id = ?", arguments: [invocationID]).map(Self.reviewItem(from:))
        }
    }

    public func pendingReviews(useCases: Set<String>?, reason: String?, olderThan: Date?) async throws -> [ReviewItem] {
        try await pool.read { db in
            var sql = "SELECT * FROM review_items WHERE status = 'pending'"
            var arguments: StatementArguments = []
            if let reason {
                sql += " AND reason LIKE ?"
                arguments += ["%" + reason + "%"]
            }
            if let olderThan {
                sql += " AND created_at <= ?"
                arguments += [Self.timestamp(olderThan)]
            }
            let items = try Row.fetchAll(db, sql: sql + " ORDER BY created_at", arguments: arguments).map(Self.reviewItem(from:))
            return items.filter { useCases?.contains($0.useCase) ?? true }
        }
    }

    public func claim(_ invocationID: String, reviewer: String, until: Date, now: Date) async throws -> ReviewItem? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM review_items WHERE invocation_id = ?", arguments: [invocationID]) else { return nil }
            var item = Self.reviewItem(from: row)
            guard item.status == .pending else { return nil }
            if let holder = item.claimedBy, holder != reviewer, let expiry = item.claimExpiresAt, expiry > now { return nil }
            item.claimedBy = reviewer
            item.claimExpiresAt = until
            try db.execute(
                sql: "UPDATE review_items SET claimed_by = ?, claim_expires_at = ? WHERE invocation_id = ?",
                arguments: [reviewer, Self.timestamp(until), invocationID])
            return item
        }
    }

    public func decide(_ item: ReviewItem, audit: AuditEventDraft) async throws {
        let head = try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE review_items SET status = ?, decided_by = ?, decided_at = ?, final_output = ?, comment = ?
                    WHERE invocation_id = ? AND status = 'pending'
                    """,
                arguments: [item.status.rawValue, item.decidedBy, item.decidedAt.map(Self.timestamp), item.finalOutput, item.comment, item.invocationID])
            guard db.changesCount == 1 else { throw ReviewError.alreadyDecided }
            return try self.appendAudit([audit], in: db)
        }
        writeAnchor(head)
    }

    static func reviewItem(from row: Row) -> ReviewItem {
        func date(_ column: String) -> Date? { (row[column] as String?).map(parseTimestamp) }
        var item = ReviewItem(
            invocationID: row["invocation_id"], useCase: row["use_case"], reason: row["reason"], createdAt: parseTimestamp(row["created_at"]),
            input: row["input"], output: row["output"], callbackURL: row["callback_url"])
        item.status = ReviewItem.Status(rawValue: row["status"]) ?? .pending
        item.claimedBy = row["claimed_by"]
        item.claimExpiresAt = date("claim_expires_at")
        item.decidedBy = row["decided_by"]
        item.decidedAt = date("decided_at")
        item.finalOutput = row["final_output"]
        item.comment = row["comment"]
        return item
    }
}

public enum ReviewError: Error, CustomStringConvertible {
    case alreadyDecided
    public var description: String { "the review item was already decided" }
}
