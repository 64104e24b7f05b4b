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
    /// Written member by member in sorted key order: it is byte for byte
    /// `JSONValue.object([...]).compactJSONString()` (a test holds them equal), without building and
    /// sorting a dictionary for every invocation's summary, which was a third of the audit append.
    public func canonicalJSON(id: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        func member(_ key: StaticString, first: Bool = false) {
            output.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            output.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { output.append(contentsOf: $0) }
            output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func optional(_ text: String?) {
            if let text { JSONValue.writeString(text, into: &output) } else { JSONValue.null.write(into: &output) }
        }
        // Keys in `String` order, as the generic writer sorts them.
        member("action", first: true)
        JSONValue.writeString(action, into: &output)
        member("actor")
        JSONValue.writeString(actor, into: &output)
        member("actor_team")
        optional(actorTeam)
        member("at")
        JSONValue.writeString(UTCTimestamp.milliseconds(at), into: &output)
        member("details")
        JSONValue.object(details).write(into: &output)
        member("id")
        JSONValue.writeString(id, into: &output)
        member("outcome")
        JSONValue.writeString(outcome, into: &output)
        member("target")
        optional(target)
        member("use_case")
        optional(useCase)
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    /// The generic form of `canonicalJSON`, kept as the reference the fast writer is tested against.
    public func referenceCanonicalJSON(id: String) -> String {
        JSONValue.object([
            "id": .string(id), "at": .string(UTCTimestamp.milliseconds(at)),
            "actor": .string(actor), "actor_team": actorTeam.map(JSONValue.string) ?? .null, "action": .string(action),
            "use_case": useCase.map(JSONValue.string) ?? .null, "target": target.map(JSONValue.string) ?? .null,
            "outcome": .string(outcome), "details": .object(details),
        ]).compactJSONString()
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
