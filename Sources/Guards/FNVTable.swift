/// A read-only hash table keyed by 64-bit FNV-1a hashes of words: the key is already a good hash, so
/// lookups skip `Hasher` (SipHash), which cost more than the rest of a word's lookup.
/// Open addressing with linear probing, at most half full.
struct FNVTable<Value: Sendable>: Sendable {
    private var keys: [UInt64]
    private var values: [Value?]
    private let mask: Int

    init(_ entries: [UInt64: Value]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: nil, count: capacity)
        mask = capacity - 1
        for (key, value) in entries {
            var slot = Int(truncatingIfNeeded: key) & mask
            while values[slot] != nil { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
    }

    @inline(__always) subscript(_ key: UInt64) -> Value? {
        var slot = Int(truncatingIfNeeded: key) & mask
        while let value = values[slot] {
            if keys[slot] == key { return value }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
