import Foundation
import Testing

@testable import Core

/// The byte-level JSON reader and writer against Foundation: the same bytes out as `JSONEncoder`
/// (sorted keys, no escaped slashes) and the same values in, on random documents; and the errors.
@Suite struct JSONBytesTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet: [String] = ["a", "Z", "_", " ", "é", "ß", "Ω", "😀", "\"", "\\", "/", "\n", "\t", "\r", "\u{8}", "\u{C}", "\u{1}", "\u{1F}", "\u{7F}", "\u{2028}", "0", "-"]

    static func randomString(_ g: inout Generator) -> String {
        (0..<Int.random(in: 0...8, using: &g)).map { _ in alphabet.randomElement(using: &g)! }.joined()
    }

    static func randomNumber(_ g: inout Generator) -> Double {
        switch Int.random(in: 0...5, using: &g) {
        case 0: return Double(Int.random(in: -1000...1000, using: &g))
        case 1: return Double.random(in: -1...1, using: &g)
        case 2: return Double.random(in: -1e20...1e20, using: &g)
        case 3: return Double(Int64.random(in: -9_000_000_000_000_000...9_000_000_000_000_000, using: &g))
        case 4: return Double.random(in: -1e-6...1e-6, using: &g)
        default: return [0, 0.1, 1e16, 9.5e15, 2.5e-7, 123456789012.5, -0.0][Int.random(in: 0...6, using: &g)]
        }
    }

    static func randomValue(_ g: inout Generator, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0...(depth > 3 ? 3 : 5), using: &g) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2: return .number(randomNumber(&g))
        case 3: return .string(randomString(&g))
        case 4: return .array((0..<Int.random(in: 0...4, using: &g)).map { _ in randomValue(&g, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &g) { members[randomString(&g)] = randomValue(&g, depth: depth + 1) }
            return .object(members)
        }
    }

    @Test func writerMatchesJSONEncoderAndReaderRoundTrips() throws {
        var g = Generator(state: 2026)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for _ in 0..<2000 {
            let value = Self.randomValue(&g)
            let ours = value.compactJSONString()
            let foundation = String(decoding: try encoder.encode(value), as: UTF8.self)
            #expect(ours == foundation)
            #expect(try JSONValue.parse(ours) == JSONValue.parse(Array(foundation.utf8)))
            // And Foundation reads our output to the same value.
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(ours.utf8)) == JSONValue.parse(ours))
        }
    }

    @Test func readsEscapesNumbersAndWhitespace() throws {
        let text = #" { "a" : [1, -2.5e3, 0.125, 1E2, true, false, null], "s": "\u00e9\ud83d\ude00\n\/\"" , "n": -0 } "#
        let value = try JSONValue.parse(text)
        #expect(value["a"] == [1, -2500, 0.125, 100, true, false, nil])
        #expect(value["s"] == .string("é😀\n/\""))
        #expect(value["n"] == .number(0))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "+1", "1e", "\"abc", "\"\\x\"", "\"\\ud800\"", "\"a\u{1}b\"", "[1] 2",
        "tru", "nul", "{\"a\" 1}", "[1 2]", "\"\\u12G4\"",
    ])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        // Foundation tolerates trailing commas; RFC 8259 (and Python's json, which OpenAI clients use) does not.
        if !["[1,]", "{\"a\":1,}"].contains(text) {
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) == nil, "Foundation accepts \(text)")
        }
    }

    @Test func errorsSayWhereAndDeepNestingIsRefused() {
        do {
            _ = try JSONValue.parse(#"{"a": [1, 2 x]}"#)
            Issue.record("no error")
        } catch {
            #expect(error.reason.contains("at byte 12"), "\(error.reason)")
        }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(String(repeating: "[", count: 600) + String(repeating: "]", count: 600)) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }
}

@Suite struct JSONKeyOrderTests {
    @Test func objectsWriteTheirKeysInStringOrder() throws {
        let keys = ["b", "a", "B", "_x", "a1", "a_", "aa", "Z", "0", "", "é", "e", "zz", "ü", "Ω", "ñ"]
        var members: [String: JSONValue] = [:]
        for (index, key) in keys.enumerated() { members[key] = .number(Double(index)) }
        for subset in [Array(keys.prefix(10)), keys] {
            let object = JSONValue.object(members.filter { subset.contains($0.key) })
            let written = String(decoding: object.compactJSONBytes(), as: UTF8.self)
            let expected = "{" + subset.sorted().map { key in
                var text: [UInt8] = []
                JSONValue.writeString(key, into: &text)
                return String(decoding: text, as: UTF8.self) + ":" + String(Int(members[key]!.numberValue!))
            }.joined(separator: ",") + "}"
            #expect(written == expected)
        }
    }
}
