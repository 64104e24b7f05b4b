import Foundation

/// An escalated invocation waiting for (or decided by) a human.
public struct ReviewItem: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable { case pending, approved, corrected, rejected }

    public var invocationID: String
    public var useCase: String
    /// Why it was escalated (the escalation reasons, joined).
    public var reason: String
    public var createdAt: Date
    public var status: Status
    public var claimedBy: String?
    public var claimExpiresAt: Date?
    public var decidedBy: String?
    public var decidedAt: Date?
    /// What the model answered, and what the reviewer decided it should be.
    public var input: String?
    public var output: String?
    public var finalOutput: String?
    public var comment: String?
    /// Called with the outcome once decided (from the request's `context.callback_url`).
    public var callbackURL: String?

    public init(invocationID: String, useCase: String, reason: String, createdAt: Date, input: String?, output: String?, callbackURL: String?) {
        self.invocationID = invocationID
        self.useCase = useCase
        self.reason = reason
        self.createdAt = createdAt
        self.status = .pending
        self.input = input
        self.output = output
        self.callbackURL = callbackURL
    }
}

/// The review queue.
public protocol ReviewStore: Sendable {
    func enqueue(_ item: ReviewItem) async throws
    func reviewItem(_ invocationID: String) async throws -> ReviewItem?
    func pendingReviews(useCases: Set<String>?, reason: String?, olderThan: Date?) async throws -> [ReviewItem]
    /// Claims the item for `reviewer` until `until`, unless someone else holds a live claim.
    func claim(_ invocationID: String, reviewer: String, until: Date, now: Date) async throws -> ReviewItem?
    func decide(_ item: ReviewItem, audit: AuditEventDraft) async throws
}
