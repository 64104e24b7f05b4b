import Foundation
import Testing

@testable import Core

@Suite struct IdentifierTests {
    @Test func hexOfEveryInputKindMatchesFormatting() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 15, 16, 31, 32, 33, 64, 257] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            #expect(Hex.encode(bytes) == expected)
            #expect(Hex.encode(bytes[...]) == expected)
            #expect(Hex.encode(bytes.lazy.map { $0 }) == expected)  // not contiguous: the copying path
            #expect(bytes.withUnsafeBytes { Hex.encode(buffer: $0) } == expected)
        }
    }

    @Test func fixedWidthHexKeepsLeadingZerosAndCutsHighBits() {
        #expect(Hex.fixedWidth(0, digits: 4) == "0000")
        #expect(Hex.fixedWidth(0xAB, digits: 4) == "00ab")
        #expect(Hex.fixedWidth(0x1_2345, digits: 4) == "2345")
        #expect(Hex.fixedWidth(.max, digits: 16) == "ffffffffffffffff")
        for value: UInt64 in [1, 0xDEAD_BEEF, 0x0123_4567_89AB_CDEF] {
            #expect(Hex.fixedWidth(value, digits: 16) == String(repeating: "0", count: 16 - String(value, radix: 16).count) + String(value, radix: 16))
        }
    }

    @Test func idSourceValuesDoNotRepeat() {
        var seen = Set<UInt64>()
        for _ in 0..<100_000 { seen.insert(IDSource.next()) }
        #expect(seen.count == 100_000)
    }

    @Test func traceAndSpanIDsAreWellFormed() {
        let trace = TraceContext.newTraceID()
        let span = TraceContext.newSpanID()
        #expect(trace.count == 32 && span.count == 16)
        #expect(TraceContext.parse("00-\(trace)-\(span)-01") != nil)
    }

    @Test func samplingFollowsTheRatio() {
        #expect((0..<1000).allSatisfy { _ in TraceContext.incoming(nil, sampleRatio: 1).sampled })
        #expect((0..<1000).allSatisfy { _ in !TraceContext.incoming(nil, sampleRatio: 0).sampled })
        let sampled = (0..<20_000).filter { _ in TraceContext.incoming(nil, sampleRatio: 0.25).sampled }.count
        #expect(abs(Double(sampled) / 20_000 - 0.25) < 0.02, "sampled \(sampled) of 20000")
    }
}

@Suite struct TraceparentParseTests {
    /// The parser before it moved to bytes: fields split on dashes, checked as characters.
    static func reference(_ header: String) -> (traceID: String, spanID: String, sampled: Bool)? {
        var slice = Substring(header)
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        let hex: (Character) -> Bool = { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
        let parts = slice.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts[0].allSatisfy(hex), parts[1].allSatisfy(hex), parts[2].allSatisfy(hex), parts[3].allSatisfy(hex),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }), parts[0] != "00" || parts.count == 4,
            let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        return (String(parts[1]), String(parts[2]), flags & 1 == 1)
    }

    @Test func agreesWithTheReferenceOnValidInvalidAndMutatedHeaders() {
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let span = "00f067aa0ba902b7"
        var headers = [
            "00-\(trace)-\(span)-01", "00-\(trace)-\(span)-00", "00-\(trace)-\(span)-03", "00-\(trace)-\(span)-0a", " \t00-\(trace)-\(span)-01\t ",
            "01-\(trace)-\(span)-01-extra", "01-\(trace)-\(span)-01", "00-\(trace)-\(span)-01-extra", "ff-\(trace)-\(span)-01",
            "00-\(String(repeating: "0", count: 32))-\(span)-01", "00-\(trace)-\(String(repeating: "0", count: 16))-01",
            "00-\(trace.uppercased())-\(span)-01", "00-\(trace)-\(span)-1", "00-\(trace)-\(span)", "", "garbage", "00-\(trace)-\(span)-01-",
            "00_\(trace)-\(span)-01", "0-0\(trace)-\(span)-01", "00-\(trace)x-\(span)-01", "é0-\(trace)-\(span)-01",
        ]
        // Every single-character change of a valid header.
        let valid = Array("00-\(trace)-\(span)-01")
        for index in valid.indices {
            for replacement: Character in ["-", "g", "A", "0", "f", " "] {
                var mutated = valid
                mutated[index] = replacement
                headers.append(String(mutated))
            }
        }
        for header in headers {
            let parsed = TraceContext.parse(header)
            let expected = Self.reference(header)
            #expect(parsed?.traceID == expected?.traceID && parsed?.spanID == expected?.spanID && parsed?.sampled == expected?.sampled, "\(header)")
        }
    }
}
