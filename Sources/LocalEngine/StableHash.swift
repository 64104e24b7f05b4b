/// 64-bit FNV-1a with a MurmurHash3 `fmix64` finaliser.
///
/// Feature buckets, model files and cache keys must be identical across runs, processes and
/// platforms, which rules out Swift's per-process seeded `Hasher`. FNV-1a alone mixes its high bits
/// poorly on short inputs (and the sign of a hashed feature is taken from bit 63), hence the finaliser.
enum StableHash {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// One FNV-1a step over a whole symbol (a byte or a Unicode scalar value).
    @inline(__always) static func step(_ hash: UInt64, _ symbol: UInt32) -> UInt64 {
        (hash ^ UInt64(symbol)) &* prime
    }

    /// MurmurHash3's 64-bit avalanche: every input bit affects every output bit.
    @inline(__always) static func finalise(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// Order-dependent combination of two finalised hashes (word bigrams).
    @inline(__always) static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        finalise(a ^ (b &+ 0x9e37_79b9_7f4a_7c15 &+ (a << 6) &+ (a >> 2)))
    }

    /// Unfinalised FNV-1a over bytes, continuing from `seed` (to hash a stream piece by piece).
    static func bytes(_ bytes: some Sequence<UInt8>, seed: UInt64 = offset) -> UInt64 {
        var h = seed
        for byte in bytes { h = step(h, UInt32(byte)) }
        return h
    }
}

/// Incremental stable hash of a sequence of fields, for cache keys; strings are length-prefixed so
/// ("ab", "c") and ("a", "bc") differ.
struct StableHasher {
    private var state: UInt64 = StableHash.offset

    mutating func add(_ string: String) {
        add(UInt64(string.utf8.count))
        state = StableHash.bytes(string.utf8, seed: state)
    }

    mutating func add(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            state = StableHash.step(state, UInt32(truncatingIfNeeded: value >> UInt64(shift)) & 0xff)
        }
    }

    var value: UInt64 { StableHash.finalise(state) }
}

/// SplitMix64: a tiny, well-distributed seeded generator so training is reproducible everywhere.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Fisher–Yates with our own draws: `shuffle(using:)` leaves the algorithm to the standard
    /// library, which does not promise to keep it across versions.
    mutating func shuffle<T>(_ values: inout ContiguousArray<T>) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, Int(next() % UInt64(i + 1)))
        }
    }
}
