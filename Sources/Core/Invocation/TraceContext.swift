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

    /// Parses `00-<32 hex>-<16 hex>-<2 hex>` (future versions: the same first fields); nil when invalid.
    public static func parse(_ header: String) -> (traceID: String, spanID: String, sampled: Bool)? {
        let parts = header.trimmingWhitespace().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts[0].allSatisfy(\.isLowercaseHex), parts[1].allSatisfy(\.isLowercaseHex), parts[2].allSatisfy(\.isLowercaseHex),
            parts[3].allSatisfy(\.isLowercaseHex), parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
            parts[0] != "00" || parts.count == 4, let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        return (String(parts[1]), String(parts[2]), flags & 1 == 1)
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

extension Character {
    fileprivate var isLowercaseHex: Bool { ("0"..."9").contains(self) || ("a"..."f").contains(self) }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
