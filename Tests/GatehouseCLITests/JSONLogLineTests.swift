import Foundation
import Logging
import Testing

@testable import gatehouse

/// The log handler writes JSON by hand, on bytes: every string must come back intact through a real
/// JSON parser, whatever characters it holds.
struct JSONLogLineTests {
    @Test func stringsWithEscapesAndNonASCIIRoundTrip() throws {
        let samples = [
            "plain", "", "quote \" and backslash \\ and slash /", "new\nline\r\ttab", "bell \u{07} nul \u{00} esc \u{1B} \u{1F}",
            "accents é ü ß, emoji 👩‍💻, CJK 漢字", "trailing backslash \\",
        ]
        var line: [UInt8] = []
        JSONLogHandler.writeObject(
            samples.enumerated().map { ("k\($0.offset)", Logger.MetadataValue.string($0.element)) }
                + [("nested", .dictionary(["b": "2", "a": .array(["x\"", "y"])]))],
            into: &line)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        for (index, sample) in samples.enumerated() {
            #expect(object["k\(index)"] as? String == sample)
        }
        let nested = try #require(object["nested"] as? [String: Any])
        #expect(nested["b"] as? String == "2")
        #expect(nested["a"] as? [String] == ["x\"", "y"])
        // Keys of nested objects are sorted, as the top level's are.
        #expect(String(decoding: line, as: UTF8.self).hasSuffix(#""nested":{"a":["x\"","y"],"b":"2"}}"#))
    }
}
