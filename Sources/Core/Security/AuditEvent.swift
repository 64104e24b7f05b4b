import Foundation

/// An audit event before it is sealed into the chain: who did what to what, when, with what result.
/// Never a payload, a secret or a personal value: only identifiers and outcomes.
public struct AuditEventDraft: Sendable, Hashable {
    public var at: Date
    /// Key id of the actor; `cli` for a local operator at the command line; `gatehouse` for the server itself.
    public var actor: String
    public var actorTeam: String?
    /// Dotted verb, e.g. `key.create`, `invocation`, `config.reload`, `erasure`.
    public var action: String
    public var useCase: String?
    /// What the action applied to (a key id, an invocation id).
    public var target: String?
    /// `ok`, `denied`, or a decision/status summary.
    public var outcome: String
    public var details: [String: JSONValue]

    public init(
        at: Date = Date(), actor: String, actorTeam: String? = nil, action: String, useCase: String? = nil,
        target: String? = nil, outcome: String = "ok", details: [String: JSONValue] = [:]
    ) {
        self.at = at
        self.actor = actor
        self.actorTeam = actorTeam
        self.action = action
        self.useCase = useCase
        self.target = target
        self.outcome = outcome
        self.details = details
    }

    /// The bytes the chain hashes: every field, in a fixed order, as compact JSON with sorted keys.
    ///
    /// Written member by member in sorted key order: byte for byte what the generic writer makes of
    /// the same members as a `JSONValue` object (`AuditCanonicalJSONTests` holds them equal, so chains
    /// sealed before stay verifiable), without a dictionary built and sorted for every invocation's
    /// summary, which was a third of the audit append.
    public func canonicalJSON(id: String) -> String {
        let absent = { (text: String?) in text.map(JSONValue.string) ?? .null }
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.member("action", action)
        json.member("actor", actor)
        json.member("actor_team", absent(actorTeam))
        json.member("at", UTCTimestamp.milliseconds(at))
        json.member("details", .object(details))
        json.member("id", id)
        json.member("outcome", outcome)
        json.member("target", absent(target))
        json.member("use_case", absent(useCase))
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }
}

/// A sealed event: its place in the chain (`sequence`), its canonical content (the exact text hashed),
/// the hash of the event before it, its own hash over both, and an HMAC of that hash under a key kept
/// outside the database.
public struct AuditEvent: Sendable, Hashable {
    public var sequence: Int64
    public var id: String
    public var content: String
    public var previousHash: String
    public var hash: String
    public var mac: String

    public init(sequence: Int64, id: String, content: String, previousHash: String, hash: String, mac: String) {
        self.sequence = sequence
        self.id = id
        self.content = content
        self.previousHash = previousHash
        self.hash = hash
        self.mac = mac
    }

    /// One JSON Lines record for a SIEM export: the content's fields plus the chain fields.
    public var exportJSON: JSONValue {
        var object = (try? JSONValue.parse(content))?.objectValue ?? ["content": .string(content)]
        object["sequence"] = .number(Double(sequence))
        object["previous_hash"] = .string(previousHash)
        object["hash"] = .string(hash)
        object["mac"] = .string(mac)
        return .object(object)
    }
}

/// The append-only audit log.
public protocol AuditLog: Sendable {
    func append(_ drafts: [AuditEventDraft]) async throws
}
