/// JSON reading and writing on UTF-8 bytes, without Foundation's Codable machinery: parsing and
/// serialising request and response bodies is on every request's path.
///
/// The writer's output is byte for byte what `JSONEncoder` with `.sortedKeys, .withoutEscapingSlashes`
/// produced before (keys in `String` order, integral numbers below 9e15 as integers, other numbers in
/// Swift's shortest round-trip form): hashes and audit records computed from it stay stable.
extension JSONValue {
    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maximumDepth = 512

    /// Parses UTF-8 JSON text (RFC 8259) in one pass.
    public static func parse(bytes input: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONByteParser(bytes: input)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == input.count else { throw parser.error("unexpected content after the JSON value") }
        return value
    }

    /// Appends compact JSON with sorted keys to `output`.
    public func write(into output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: [110, 117, 108, 108])
        case .bool(let flag): output.append(contentsOf: flag ? [116, 114, 117, 101] : [102, 97, 108, 115, 101])
        case .number(let number): Self.writeNumber(number, into: &output)
        case .string(let text): Self.writeString(text, into: &output)
        case .array(let elements):
            output.append(91)
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(44) }
                element.write(into: &output)
            }
            output.append(93)
        case .object(let members):
            output.append(123)
            for (index, member) in Self.sortedMembers(members).enumerated() {
                if index > 0 { output.append(44) }
                Self.writeString(member.key, into: &output)
                output.append(58)
                member.value.write(into: &output)
            }
            output.append(125)
        }
    }

    /// Members in `String` order of their keys (the canonical order audit hashes depend on).
    static func sortedMembers(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        var entries = Array(members)
        guard entries.count > 1 else { return entries }
        let ascii = entries.allSatisfy { isASCII($0.key) }
        entries.sort { keyPrecedes($0.key, $1.key, ascii: ascii) }
        return entries
    }

    /// Keys in the order the generic writer puts an object's members in, for writers that emit
    /// members one by one (`JSONWriter`) and must produce the same text.
    public static func sortedKeys(_ keys: some Collection<String>) -> [String] {
        var sorted = Array(keys)
        guard sorted.count > 1 else { return sorted }
        let ascii = sorted.allSatisfy(isASCII)
        sorted.sort { keyPrecedes($0, $1, ascii: ascii) }
        return sorted
    }

    /// `String` order. ASCII keys, nearly all of them, compare as bytes, which is the same order;
    /// comparing them as strings cost more than writing the object.
    private static func keyPrecedes(_ a: String, _ b: String, ascii: Bool) -> Bool {
        ascii ? a.utf8.lexicographicallyPrecedes(b.utf8) : a < b
    }

    private static func isASCII(_ key: String) -> Bool {
        key.utf8.allSatisfy { $0 < 0x80 }
    }

    static func writeNumber(_ number: Double, into output: inout [UInt8]) {
        guard number.isFinite else {
            output.append(contentsOf: [110, 117, 108, 108])
            return
        }
        if number.rounded() == number && abs(number) < 9.0e15 {
            writeInteger(Int64(number), into: &output)
        } else {
            output.append(contentsOf: "\(number)".utf8)
        }
    }

    /// Decimal digits without a `String` in between (numbers are in every ledger row and log line).
    static func writeInteger(_ value: Int64, into output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var first = 20
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[first..<20]))
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string (quotes, backslash and control characters escaped).
    public static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(34)
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 34 || byte == 92 else { continue }
                if start < index { output.append(contentsOf: bytes[start..<index]) }
                start = index + 1
                switch byte {
                case 34: output.append(contentsOf: [92, 34])
                case 92: output.append(contentsOf: [92, 92])
                case 8: output.append(contentsOf: [92, 98])
                case 9: output.append(contentsOf: [92, 116])
                case 10: output.append(contentsOf: [92, 110])
                case 12: output.append(contentsOf: [92, 102])
                case 13: output.append(contentsOf: [92, 114])
                default: output.append(contentsOf: [92, 117, 48, 48, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]])
                }
            }
            if start < bytes.count { output.append(contentsOf: bytes[start..<bytes.count]) }
        }
        output.append(34)
    }
}

/// A recursive-descent parser over a byte buffer.
struct JSONByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(reason: "malformed JSON: \(message) at byte \(index)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 32 || byte == 10 || byte == 13 || byte == 9 else { return }
            index += 1
        }
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case 123: return try object(depth: depth + 1)
        case 91: return try array(depth: depth + 1)
        case 34: return .string(try string())
        case 116: try literal([116, 114, 117, 101]); return .bool(true)
        case 102: try literal([102, 97, 108, 115, 101]); return .bool(false)
        case 110: try literal([110, 117, 108, 108]); return .null
        case 45, 48...57: return .number(try number())
        default: throw error("unexpected character '\(Unicode.Scalar(bytes[index]))'")
        }
    }

    mutating func literal(_ word: [UInt8]) throws(JSONParseError) {
        guard index + word.count <= bytes.count else { throw error("unexpected end of input") }
        for (offset, byte) in word.enumerated() where bytes[index + offset] != byte { throw error("invalid literal") }
        index += word.count
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth)") }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count && bytes[index] == 125 {
            index += 1
            return .object(members)
        }
        // Room for a typical object's members up front: growing from one slot re-hashed every key
        // three times on a chat request or answer.
        members.reserveCapacity(8)
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == 34 else { throw error("expected a member name") }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == 58 else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            members[key] = try value(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == 44 { index += 1; continue }
            if bytes[index] == 125 { index += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth)") }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == 93 {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == 44 { index += 1; continue }
            if bytes[index] == 93 { index += 1; return .array(elements) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func string() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 34 {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == 92 { break }
            if byte < 0x20 { throw error("control character in a string") }
            index += 1
        }
        var output: [UInt8] = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 34 {
                index += 1
                return String(decoding: output, as: UTF8.self)
            }
            if byte < 0x20 { throw error("control character in a string") }
            if byte != 92 {
                output.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case 34: output.append(34)
            case 92: output.append(92)
            case 47: output.append(47)
            case 98: output.append(8)
            case 102: output.append(12)
            case 110: output.append(10)
            case 114: output.append(13)
            case 116: output.append(9)
            case 117:
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by \u and a low one.
                    guard index + 1 < bytes.count, bytes[index] == 92, bytes[index + 1] == 117 else { throw error("lone surrogate") }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("lone surrogate")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                UTF8.encode(unicode) { output.append($0) }
            default: throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 97...102: digit = UInt32(byte - 87)
            case 65...70: digit = UInt32(byte - 55)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    mutating func number() throws(JSONParseError) -> Double {
        let start = index
        if bytes[index] == 45 { index += 1 }
        guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == 48 {
            index += 1
            if index < bytes.count, (48...57).contains(bytes[index]) { throw error("leading zero in a number") }
        } else {
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        var integral = true
        if index < bytes.count, bytes[index] == 46 {
            integral = false
            index += 1
            guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == 101 || bytes[index] == 69 {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 { index += 1 }
            guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        // Short integers: exact and without a string.
        if integral && index - start <= 15 {
            var value: Int64 = 0
            var position = start
            let negative = bytes[position] == 45
            if negative { position += 1 }
            while position < index {
                value = value * 10 + Int64(bytes[position] - 48)
                position += 1
            }
            return Double(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw error("invalid number") }
        return value
    }
}
