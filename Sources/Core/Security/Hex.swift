/// Lowercase hexadecimal of bytes (digests, MACs, ids), without a format string per byte.
public enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex of any byte sequence. Contiguous storage (arrays, buffers) is encoded in place;
    /// other sequences are copied once. Digests and MACs: use `encode(buffer:)` inside `withUnsafeBytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        if let encoded = bytes.withContiguousStorageIfAvailable({ encode(buffer: UnsafeRawBufferPointer($0)) }) {
            return encoded
        }
        return Array(bytes).withUnsafeBytes { encode(buffer: $0) }
    }

    /// Lowercase hex of raw bytes, written straight into the string's storage.
    public static func encode(buffer: UnsafeRawBufferPointer) -> String {
        guard !buffer.isEmpty else { return "" }
        return String(unsafeUninitializedCapacity: buffer.count * 2) { output in
            digits.withUnsafeBufferPointer { table in
                var index = 0
                for byte in buffer {
                    output[index] = table[Int(byte >> 4)]
                    output[index + 1] = table[Int(byte & 15)]
                    index += 2
                }
            }
            return buffer.count * 2
        }
    }

    /// The low `digits × 4` bits of `value` as exactly `digits` lowercase hex characters (leading zeros kept).
    public static func fixedWidth(_ value: UInt64, digits count: Int) -> String {
        precondition((1...16).contains(count), "1 to 16 hex digits")
        return String(unsafeUninitializedCapacity: count) { buffer in
            for index in 0..<count {
                let shift = UInt64((count - 1 - index) * 4)
                buffer[index] = digits[Int((value >> shift) & 15)]
            }
            return count
        }
    }
}
