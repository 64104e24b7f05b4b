import Foundation
import Testing

@testable import Core

@Suite struct IdentifierTests {
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
