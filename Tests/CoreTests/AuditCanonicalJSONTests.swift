import Core
import Foundation
import Testing

/// The chain hashes `canonicalJSON`; its hand-ordered writer must stay byte for byte the generic
/// sorted-key writer, or events sealed before a release would no longer verify after it.
@Suite struct AuditCanonicalJSONTests {
    static let drafts: [AuditEventDraft] = [
        AuditEventDraft(
            at: Date(timeIntervalSince1970: 1_764_950_400.123), actor: "load-bench", actorTeam: "bench", action: "invocation",
            useCase: "triage", target: "inv_0123456789abcdef", outcome: "answered",
            details: ["route": "invoke", "http_status": 200, "variant": "primary", "model": "gpt-4o-mini"]),
        AuditEventDraft(at: Date(timeIntervalSince1970: 0), actor: "anonymous", action: "invocation", outcome: "failed"),
        AuditEventDraft(
            actor: "cli", actorTeam: "ops \"night\"\n", action: "key.create", useCase: "caf\u{E9}/\u{1F600}", target: "k\\1",
            outcome: "ok", details: ["nested": ["b": [1, 2.5, .null, true], "a": "\u{0001}"], "": .null]),
    ]

    /// The generic form: the members as a `JSONValue` object, written with sorted keys.
    static func reference(_ draft: AuditEventDraft, id: String) -> String {
        JSONValue.object([
            "id": .string(id), "at": .string(UTCTimestamp.milliseconds(draft.at)),
            "actor": .string(draft.actor), "actor_team": draft.actorTeam.map(JSONValue.string) ?? .null,
            "action": .string(draft.action), "use_case": draft.useCase.map(JSONValue.string) ?? .null,
            "target": draft.target.map(JSONValue.string) ?? .null, "outcome": .string(draft.outcome),
            "details": .object(draft.details),
        ]).compactJSONString()
    }

    @Test(arguments: drafts)
    func fastWriterMatchesTheGenericSortedWriter(draft: AuditEventDraft) throws {
        let fast = draft.canonicalJSON(id: "aud_00ff")
        #expect(fast == Self.reference(draft, id: "aud_00ff"))
        // And it is JSON with every field.
        let parsed = try JSONValue.parse(fast)
        #expect(parsed["actor"]?.stringValue == draft.actor)
        #expect(parsed["target"] == (draft.target.map(JSONValue.string) ?? .null))
        #expect(parsed["details"] == .object(draft.details))
    }
}
