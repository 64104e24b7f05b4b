import Core
import Foundation
import GRDB

/// Feedback on one invocation: a rating, optionally a corrected output and a comment.
public struct Feedback: Sendable, Hashable {
    public var invocationID: String
    public var useCase: String?
    public var keyID: String
    public var rating: String
    public var correction: String?
    public var comment: String?
    public var createdAt: Date

    public init(invocationID: String, useCase: String?, keyID: String, rating: String, correction: String?, comment: String?, createdAt: Date) {
        self.invocationID = invocationID
        self.useCase = useCase
        self.keyID = keyID
        self.rating = rating
        self.correction = correction
        self.comment = comment
        self.createdAt = createdAt
    }
}

extension SQLiteStore {
    public func recordFeedback(_ feedback: Feedback) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO feedback (invocation_id, use_case, key_id, rating, correction, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [feedback.invocationID, feedback.useCase, feedback.keyID, feedback.rating, feedback.correction, feedback.comment,
                            Self.timestamp(feedback.createdAt)])
        }
    }

    public func feedback(useCase: String) async throws -> [Feedback] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM feedback WHERE use_case = ? ORDER BY created_at", arguments: [useCase]).map { row in
                Feedback(
                    invocationID: row["invocation_id"], useCase: row["use_case"], keyID: row["key_id"], rating: row["rating"],
                    correction: row["correction"], comment: row["comment"], createdAt: Self.parseTimestamp(row["created_at"]))
            }
        }
    }

    /// Decided review items of a use case (corrections and approvals), oldest first.
    public func decidedReviews(useCase: String) async throws -> [ReviewItem] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM review_items WHERE use_case = ? AND status IN ('corrected', 'approved') ORDER BY decided_at",
                arguments: [useCase]
            ).map(Self.reviewItem(from:))
        }
    }
}
