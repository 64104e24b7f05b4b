/// Lowercase hexadecimal of bytes (digests, MACs, ids), without a format string per byte.
public enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 15)])
        }
        return String(decoding: output, as: UTF8.self)
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
