import Core
import Foundation
import Testing

@testable import Store

/// The ledger's JSON columns are written member by member; these tests hold that text byte for byte
/// equal to the generic sorted-key writer's, which wrote them before (rows already stored and rows
/// written now read back the same way, and compare equal as text).
@Suite struct LedgerColumnJSONTests {
    // The former writers, kept here as the reference.
    static func reference(_ timings: [String: Double]) -> String {
        JSONValue.object(timings.mapValues(JSONValue.number)).compactJSONString()
    }

    static func reference(_ list: [String]) -> String {
        JSONValue.array(list.map(JSONValue.string)).compactJSONString()
    }

    static func reference(_ attempts: [AttemptRecord]) -> String {
        JSONValue.array(
            attempts.map { attempt in
                var members: [String: JSONValue] = [
                    "provider": .string(attempt.provider), "model": .string(attempt.model), "milliseconds": .number(attempt.milliseconds),
                ]
                if let error = attempt.error { members["error"] = .string(error) }
                if let spanID = attempt.spanID { members["spanID"] = .string(spanID) }
                if let parentSpanID = attempt.parentSpanID { members["parentSpanID"] = .string(parentSpanID) }
                if let startedAt = attempt.startedAt { members["startedAt"] = .number(startedAt.timeIntervalSinceReferenceDate) }
                return .object(members)
            }
        ).compactJSONString()
    }

    static let timingCases: [[String: Double]] = [
        [:],
        ["call_model": 0.512],
        ["authenticate": 0.004, "admit": 0.012, "guard_input": 0.731, "call_model": 1.25, "validate_output": 0.09, "record": 0.0],
        // Keys that sort differently by scalar and by byte, that need escaping, and upper case.
        ["étape": 1, "zeta": 2, "Zeta": 3, "a\"b": 4, "tab\there": 5, "emoji 🚀": 6, "ascii": 1e-7],
        ["big": 12_345_678_901, "negative": -3.5, "integral": 42, "tiny": .leastNonzeroMagnitude, "nan": .nan, "inf": .infinity],
    ]

    @Test(arguments: timingCases) func stageTimingsAreWrittenAsTheSortedWriterDid(_ timings: [String: Double]) {
        #expect(SQLiteStore.json(timings) == Self.reference(timings))
    }

    @Test func listsAreWrittenAsTheGenericWriterDid() {
        for list in [[], ["low_confidence"], ["a \"quoted\" reason", "line\nbreak", "ünïcödé", "\u{1}control"]] {
            #expect(SQLiteStore.json(list) == Self.reference(list))
        }
    }

    @Test func attemptsAreWrittenAsTheSortedWriterDidWithAndWithoutEachOptional() {
        let start = Date(timeIntervalSinceReferenceDate: 786_000_000.123456)
        var attempts: [AttemptRecord] = []
        for mask in 0..<16 {
            attempts.append(
                AttemptRecord(
                    provider: "mock\(mask)", model: "model \"\(mask)\"", milliseconds: Double(mask) * 1.0625,
                    error: mask & 1 != 0 ? "upstream_timeout" : nil, spanID: mask & 2 != 0 ? "00f067aa0ba902b7" : nil,
                    parentSpanID: mask & 4 != 0 ? "53995c3f42cd8ad8" : nil, startedAt: mask & 8 != 0 ? start : nil))
        }
        #expect(SQLiteStore.json([AttemptRecord]()) == Self.reference([AttemptRecord]()))
        for attempt in attempts { #expect(SQLiteStore.json([attempt]) == Self.reference([attempt])) }
        #expect(SQLiteStore.json(attempts) == Self.reference(attempts))
    }
}
