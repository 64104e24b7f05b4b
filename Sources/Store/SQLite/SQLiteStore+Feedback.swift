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

/// Quality figures of a use case over a period, from the ledger, the review queue and feedback.
public struct QualityFigures: Sendable {
    public var day: String
    public var invocations: Int
    public var answered: Int
    public var escalated: Int
    public var fallback: Int
    public var refused: Int
    public var reviewedApproved: Int
    public var reviewedCorrected: Int
    public var feedbackDown: Int
    public var feedback: Int

    /// Answers a human approved, or that went out without needing one, over all invocations.
    public var verifiedResponseRate: Double { rate(answered + reviewedApproved) }
    public var escalationRate: Double { rate(escalated) }
    public var humanCorrectionRate: Double { reviewedApproved + reviewedCorrected == 0 ? 0 : Double(reviewedCorrected) / Double(reviewedApproved + reviewedCorrected) }
    public var fallbackRate: Double { rate(fallback) }
    public var refusalRate: Double { rate(refused) }
    public var thumbsDownRate: Double { feedback == 0 ? 0 : Double(feedbackDown) / Double(feedback) }

    func rate(_ count: Int) -> Double { invocations == 0 ? 0 : Double(count) / Double(invocations) }
}

extension SQLiteStore {
    /// One row per day (UTC) since `since`, oldest first.
    public func qualityByDay(useCase: String, since: Date) async throws -> [QualityFigures] {
        try await pool.read { db in
            let from = Self.timestamp(since)
            var days: [String: QualityFigures] = [:]
            func figures(_ day: String) -> QualityFigures {
                days[day] ?? QualityFigures(
                    day: day, invocations: 0, answered: 0, escalated: 0, fallback: 0, refused: 0, reviewedApproved: 0, reviewedCorrected: 0,
                    feedbackDown: 0, feedback: 0)
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(created_at, 1, 10) AS day, decision, COUNT(*) AS n FROM invocations
                    WHERE use_case = ? AND created_at >= ? AND route != 'evaluation' GROUP BY day, decision
                    """,
                arguments: [useCase, from])
            {
                let day: String = row["day"]
                var f = figures(day)
                let n: Int = row["n"]
                f.invocations += n
                switch row["decision"] as String {
                case "answered": f.answered += n
                case "escalated": f.escalated += n
                case "fallback": f.fallback += n
                case "refused": f.refused += n
                default: break
                }
                days[day] = f
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT substr(created_at, 1, 10) AS day, status, COUNT(*) AS n FROM review_items WHERE use_case = ? AND created_at >= ? GROUP BY day, status",
                arguments: [useCase, from])
            {
                let day: String = row["day"]
                var f = figures(day)
                if row["status"] as String == "approved" { f.reviewedApproved += row["n"] }
                if row["status"] as String == "corrected" { f.reviewedCorrected += row["n"] }
                days[day] = f
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT substr(created_at, 1, 10) AS day, rating, COUNT(*) AS n FROM feedback WHERE use_case = ? AND created_at >= ? GROUP BY day, rating",
                arguments: [useCase, from])
            {
                let day: String = row["day"]
                var f = figures(day)
                f.feedback += row["n"]
                if row["rating"] as String == "down" { f.feedbackDown += row["n"] }
                days[day] = f
            }
            return days.values.sorted { $0.day < $1.day }
        }
    }
}
