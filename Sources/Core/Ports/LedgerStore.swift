import Foundation

/// One invocation as recorded: who, what, when, how long each stage took, what it cost, what was decided.
public struct LedgerEntry: Sendable, Hashable, Codable {
    public var id: String
    public var createdAt: Date
    public var keyID: String?
    public var route: InvocationRoute
    public var useCase: String?
    public var variant: String?
    public var variantVersion: String?
    public var provider: String?
    public var model: String?
    public var decision: Decision
    public var httpStatus: Int
    public var errorCode: String?
    public var latencyMilliseconds: Double
    /// Stage name -> milliseconds.
    public var stageTimings: [String: Double]
    public var attempts: [AttemptRecord]
    public var inputTokens: Int
    public var outputTokens: Int
    public var tokensEstimated: Bool
    public var costUSD: Double
    public var confidence: Double?
    public var escalationReasons: [String]
    public var streamed: Bool
    /// How a streamed answer ended: `completed`, or the reason it was cut.
    public var streamOutcome: String?
    public var payloadMode: DataPolicy.PayloadLogging.RawValue
    public var inputPayload: String?
    public var outputPayload: String?
    public var traceID: String?
    /// Team of the calling key (reports and budgets group by it).
    public var team: String? = nil
    /// Keyed digest of the data-subject reference the caller attached, so `erase --subject` finds the rows.
    public var subjectDigest: String? = nil
    /// When the stored payloads must be purged (the use case's retention days).
    public var payloadExpiresAt: Date? = nil
    /// What the guards found (JSON: counts by type, injection score and signals); never values.
    public var guardReport: String? = nil
    /// Answered from the response cache; `savedCostUSD` is what the answer cost when it was computed.
    public var cacheHit: Bool = false
    public var savedCostUSD: Double = 0

    public init(
        id: String, createdAt: Date, keyID: String?, route: InvocationRoute, useCase: String?, variant: String?,
        variantVersion: String?, provider: String?, model: String?, decision: Decision, httpStatus: Int,
        errorCode: String?, latencyMilliseconds: Double, stageTimings: [String: Double], attempts: [AttemptRecord],
        inputTokens: Int, outputTokens: Int, tokensEstimated: Bool, costUSD: Double, confidence: Double?,
        escalationReasons: [String], streamed: Bool, streamOutcome: String?, payloadMode: String,
        inputPayload: String?, outputPayload: String?, traceID: String?
    ) {
        self.id = id
        self.createdAt = createdAt
        self.keyID = keyID
        self.route = route
        self.useCase = useCase
        self.variant = variant
        self.variantVersion = variantVersion
        self.provider = provider
        self.model = model
        self.decision = decision
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.latencyMilliseconds = latencyMilliseconds
        self.stageTimings = stageTimings
        self.attempts = attempts
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.tokensEstimated = tokensEstimated
        self.costUSD = costUSD
        self.confidence = confidence
        self.escalationReasons = escalationReasons
        self.streamed = streamed
        self.streamOutcome = streamOutcome
        self.payloadMode = payloadMode
        self.inputPayload = inputPayload
        self.outputPayload = outputPayload
        self.traceID = traceID
    }
}

/// The invocation ledger. Implementations: SQLite (embedded), in-memory (tests); PostgreSQL later.
public protocol LedgerStore: Sendable {
    func record(_ entry: LedgerEntry) async throws
    func entry(id: String) async throws -> LedgerEntry?
    /// Most recent first.
    func recentEntries(limit: Int) async throws -> [LedgerEntry]
    /// Throws when the store cannot take writes (readiness).
    func checkWritable() async throws
    /// Records without waiting for room: `false` when the row was dropped because the queue is
    /// busy. For requests nobody authenticated, so a flood of bad keys cannot slow real traffic.
    func recordIfRoom(_ entry: LedgerEntry) async -> Bool
}

extension LedgerStore {
    public func recordIfRoom(_ entry: LedgerEntry) async -> Bool {
        (try? await record(entry)) != nil
    }
}

/// Retention and erasure of stored payloads. Rows keep their metadata; only payloads go.
public protocol PayloadRetentionStore: Sendable {
    /// Clears payloads whose retention has passed; returns how many rows were cleared.
    func purgeExpiredPayloads(now: Date) async throws -> Int
    /// Clears every payload linked to the data subject and records the erasure; returns the row count.
    func erasePayloads(subjectDigest: String, audit: AuditEventDraft) async throws -> Int
}

/// Turns a payload into the digest stored when payload logging is `hashed`. Keyed, so that short
/// payloads cannot be recovered by hashing guesses.
public protocol PayloadDigester: Sendable {
    func digest(_ text: String) -> String
}
