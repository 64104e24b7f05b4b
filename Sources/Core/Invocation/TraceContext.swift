import Synchronization

/// W3C trace context (`traceparent: 00-<trace id>-<parent span id>-<flags>`): the trace an invocation
/// belongs to, the caller's span, and the span ids Gatehouse hands out for its own work.
public struct TraceContext: Sendable, Hashable {
    /// 32 lowercase hex characters, not all zero.
    public var traceID: String
    /// The caller's span (from its `traceparent`), parent of the gateway's server span.
    public var parentSpanID: String?
    /// The gateway's server span for this request.
    public var spanID: String
    /// Whether the trace is recorded (flag 01); a sampled caller keeps its choice.
    public var sampled: Bool

    public init(traceID: String, parentSpanID: String?, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.parentSpanID = parentSpanID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// Continues the caller's trace when `header` is a valid `traceparent`, else starts a new one
    /// (sampled with probability `sampleRatio`).
    public static func incoming(_ header: String?, sampleRatio: Double = 1) -> TraceContext {
        if let header, let parsed = parse(header) {
            return TraceContext(traceID: parsed.traceID, parentSpanID: parsed.spanID, spanID: newSpanID(), sampled: parsed.sampled)
        }
        let sampled = sampleRatio >= 1 || (sampleRatio > 0 && Double(IDSource.next() >> 11) * 0x1p-53 < sampleRatio)
        return TraceContext(traceID: newTraceID(), parentSpanID: nil, spanID: newSpanID(), sampled: sampled)
    }

    /// Parses `00-<32 hex>-<16 hex>-<2 hex>` (future versions: the same first fields, then `-` and
    /// more); nil when invalid. Checked on the UTF-8 bytes: the router parses the header again for
    /// every upstream attempt, and splitting it into strings cost microseconds.
    public static func parse(_ header: String) -> (traceID: String, spanID: String, sampled: Bool)? {
        var header = header
        return header.withUTF8 { raw -> (traceID: String, spanID: String, sampled: Bool)? in
            var start = 0
            var end = raw.count
            while start < end, raw[start] == 0x20 || raw[start] == 0x09 { start += 1 }
            while end > start, raw[end - 1] == 0x20 || raw[end - 1] == 0x09 { end -= 1 }
            let bytes = UnsafeBufferPointer(rebasing: raw[start..<end])
            guard bytes.count >= 55, bytes[2] == 0x2D, bytes[35] == 0x2D, bytes[52] == 0x2D else { return nil }
            func isLowercaseHex(_ range: Range<Int>) -> Bool {
                range.allSatisfy { (0x30...0x39).contains(bytes[$0]) || (0x61...0x66).contains(bytes[$0]) }
            }
            guard isLowercaseHex(0..<2), isLowercaseHex(3..<35), isLowercaseHex(36..<52), isLowercaseHex(53..<55) else { return nil }
            let isVersionZero = bytes[0] == 0x30 && bytes[1] == 0x30
            guard !(bytes[0] == 0x66 && bytes[1] == 0x66) else { return nil }  // version ff is invalid
            // Version 00 has exactly four fields; a later version may add fields after a dash.
            guard bytes.count == 55 || (!isVersionZero && bytes[55] == 0x2D) else { return nil }
            guard (3..<35).contains(where: { bytes[$0] != 0x30 }), (36..<52).contains(where: { bytes[$0] != 0x30 }) else { return nil }
            let flagLow = bytes[54]
            let sampled = (flagLow >= 0x61 ? flagLow - 0x61 + 10 : flagLow - 0x30) & 1 == 1
            return (
                String(decoding: UnsafeBufferPointer(rebasing: bytes[3..<35]), as: UTF8.self),
                String(decoding: UnsafeBufferPointer(rebasing: bytes[36..<52]), as: UTF8.self), sampled
            )
        }
    }

    /// The header a child span sends downstream.
    public func traceparent(spanID child: String) -> String {
        "00-\(traceID)-\(child)-\(sampled ? "01" : "00")"
    }

    public static func newTraceID() -> String { randomHex(16) }
    public static func newSpanID() -> String { randomHex(8) }

    /// Ids need to be unique and unpredictable enough to spread, not secret: SplitMix64 over a seed
    /// drawn once from the system generator and a shared counter. (Asking the system generator for
    /// every byte cost a system call each, ten spans per request.)
    static func randomHex(_ bytes: Int) -> String {
        var words: [UInt8] = []
        words.reserveCapacity(bytes)
        while words.count < bytes {
            var value = IDSource.next()
            for _ in 0..<8 where words.count < bytes {
                words.append(UInt8(truncatingIfNeeded: value))
                value >>= 8
            }
        }
        if words.allSatisfy({ $0 == 0 }) { words[0] = 1 }
        return Hex.encode(words)
    }
}

/// Fast unique 64-bit values for identifiers (trace, span, invocation and audit ids) and sampling.
/// Not for secrets: API keys and salts come from the system generator.
public enum IDSource {
    static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    static let counter = Atomic<UInt64>(0)

    public static func next() -> UInt64 {
        var z = seed &+ counter.add(1, ordering: .relaxed).newValue &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
