#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text as an array of Unicode scalars, so every scanner works with integer offsets that are also the
/// offsets reported to callers (code points, the unit `gatehouse scan` documents).
struct ScalarText {
    let scalars: [Unicode.Scalar]
    /// The UTF-8 bytes, and the byte offset of each scalar (plus the end), so substrings are copied
    /// as bytes rather than appended scalar by scalar.
    private let utf8: [UInt8]
    private let offsets: [Int]
    /// Per-scalar character classes, computed once (bit flags below), so scanners never query
    /// Unicode properties in their loops.
    private let flags: [UInt8]
    var count: Int { scalars.count }

    static let digit: UInt8 = 1, letter: UInt8 = 2, upper: UInt8 = 4, space: UInt8 = 8, hex: UInt8 = 16

    /// Flags of the ASCII characters.
    private static let asciiFlags: [UInt8] = (0..<128).map { v in
        if v >= 48 && v <= 57 { return digit | hex }
        if v >= 65 && v <= 90 { return letter | upper | (v <= 70 ? hex : 0) }
        if v >= 97 && v <= 122 { return letter | (v <= 102 ? hex : 0) }
        if v == 32 || v == 9 || v == 10 || v == 13 { return space }
        return 0
    }

    init(_ text: String) {
        let utf8 = Array(text.utf8)
        self.utf8 = utf8
        // One pass over the (valid) UTF-8: scalars, their byte offsets and their flags.
        var scalars: [Unicode.Scalar] = []
        var offsets: [Int] = []
        var flags: [UInt8] = []
        scalars.reserveCapacity(utf8.count)
        offsets.reserveCapacity(utf8.count + 1)
        flags.reserveCapacity(utf8.count)
        Self.asciiFlags.withUnsafeBufferPointer { asciiFlags in
            utf8.withUnsafeBufferPointer { bytes in
                var i = 0
                while i < bytes.count {
                    let lead = bytes[i]
                    offsets.append(i)
                    if lead < 0x80 {
                        scalars.append(Unicode.Scalar(lead))
                        flags.append(asciiFlags[Int(lead)])
                        i += 1
                        continue
                    }
                    var value: UInt32
                    var width: Int
                    if lead >= 0xF0 { value = UInt32(lead & 0x07); width = 4 } else if lead >= 0xE0 { value = UInt32(lead & 0x0F); width = 3 } else { value = UInt32(lead & 0x1F); width = 2 }
                    for k in 1..<width where i + k < bytes.count { value = value << 6 | UInt32(bytes[i + k] & 0x3F) }
                    let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                    scalars.append(scalar)
                    let properties = scalar.properties
                    var f: UInt8 = 0
                    if properties.isAlphabetic { f |= Self.letter }
                    if properties.isUppercase { f |= Self.upper }
                    if properties.isWhitespace { f |= Self.space }
                    flags.append(f)
                    i += width
                }
            }
        }
        offsets.append(utf8.count)
        self.scalars = scalars
        self.offsets = offsets
        self.flags = flags
    }

    subscript(_ index: Int) -> Unicode.Scalar { scalars[index] }

    func string(_ start: Int, _ end: Int) -> String {
        let from = max(0, start), to = min(count, end)
        guard from < to else { return "" }
        return String(decoding: utf8[offsets[from]..<offsets[to]], as: UTF8.self)
    }

    /// Lowercased text of a range, for cue matching.
    func lower(_ start: Int, _ end: Int) -> String {
        string(max(0, start), min(count, end)).lowercased()
    }

    @inline(__always) func has(_ i: Int, _ flag: UInt8) -> Bool { i >= 0 && i < count && flags[i] & flag != 0 }
    func isDigit(_ i: Int) -> Bool { has(i, Self.digit) }
    func isLetter(_ i: Int) -> Bool { has(i, Self.letter) }
    func isUpper(_ i: Int) -> Bool { has(i, Self.upper) }
    func isAlnum(_ i: Int) -> Bool { has(i, Self.digit | Self.letter) }
    func isSpace(_ i: Int) -> Bool { has(i, Self.space) }
    func isHex(_ i: Int) -> Bool { has(i, Self.hex) }
    @inline(__always) func `is`(_ i: Int, _ scalar: Unicode.Scalar) -> Bool {
        i >= 0 && i < count && scalars[i] == scalar
    }
}

/// A word with its scalar span (letters, with inner apostrophes, hyphens and dots of abbreviations).
struct Word {
    var start: Int
    var end: Int
    /// Lowercased text, trailing abbreviation dot included.
    var lower: String
    var isCapitalized: Bool
    /// A line break lies between the previous word and this one.
    var startsLine: Bool
    /// `lower` without trailing punctuation, for phrase matching.
    var key: String = ""
    /// Letters only (with inner - ' ’ and a trailing dot).
    var isAlphabetic = false
    /// Every letter is uppercase (acronyms: DHL, NW).
    var isAllUpper = false
    /// What the word is in the scanners' word lists (`Lexicon` flags), from one lookup.
    var lex: UInt32 = 0
    var startsWithDigit = false
    /// The word keeps a trailing abbreviation dot (Dr., St.).
    var endsWithDot = false
    var length: Int { end - start }
    @inline(__always) func `is`(_ flag: UInt32) -> Bool { lex & flag != 0 }
}

extension ScalarText {
    /// Words made of letters (and digits glued to letters, as in 221B), with inner ' - and a trailing
    /// abbreviation dot kept when the word is short (Dr., St., Mme.).
    func words() -> [Word] {
        var words: [Word] = []
        words.reserveCapacity(count / 5)
        var i = 0
        var sawNewline = true
        while i < count {
            if isAlnum(i) {
                let start = i
                var alphabetic = true
                var allUpper = true
                while i < count && (isAlnum(i) || ((self.is(i, "'") || self.is(i, "’") || self.is(i, "-")) && isAlnum(i + 1))) {
                    if isDigit(i) { alphabetic = false }
                    if isLetter(i) && !isUpper(i) { allUpper = false }
                    i += 1
                }
                var end = i
                if self.is(i, "."), end - start <= 4, isLetter(start) { end += 1; i += 1 }
                let lower = lowered(start, end)
                // Words hold letters, digits and inner ' - only; a trailing "." is the one punctuation.
                var key = lower
                if end > start && self.is(end - 1, ".") { key.removeLast() }
                var lex: UInt32 = 0
                if isLetter(start) {
                    lex = Lexicon.flags(of: lower)
                    if key.utf8.count != lower.utf8.count { lex |= Lexicon.flags(of: key) }
                }
                words.append(Word(
                    start: start, end: end, lower: lower, isCapitalized: isUpper(start), startsLine: sawNewline, key: key,
                    isAlphabetic: alphabetic, isAllUpper: allUpper && alphabetic, lex: lex, startsWithDigit: isDigit(start),
                    endsWithDot: end > start && self.is(end - 1, ".")))
                sawNewline = false
            } else {
                if scalars[i] == "\n" { sawNewline = true }
                i += 1
            }
        }
        return words
    }

    /// Lowercased substring; ASCII is lowered byte by byte, anything else by the standard library.
    func lowered(_ start: Int, _ end: Int) -> String {
        var ascii = true
        for index in start..<end where scalars[index].value >= 128 { ascii = false; break }
        guard ascii else { return string(start, end).lowercased() }
        // Written in place: words of up to 15 bytes become small strings with no allocation at all.
        return String(unsafeUninitializedCapacity: end - start) { buffer in
            for index in start..<end {
                let v = UInt8(truncatingIfNeeded: scalars[index].value)
                buffer[index - start] = v >= 65 && v <= 90 ? v + 32 : v
            }
            return end - start
        }
    }
}

extension String {
    /// `hasSuffix` on UTF-8 bytes: no Unicode normalisation, which the word lists do not need.
    @inline(__always) func endsWithBytes(_ suffix: String) -> Bool {
        var text = self, suffix = suffix
        return text.withUTF8 { a in
            suffix.withUTF8 { b in
                b.isEmpty || (a.count >= b.count && memcmp(a.baseAddress! + (a.count - b.count), b.baseAddress!, b.count) == 0)
            }
        }
    }

    /// The string without leading and trailing characters from `characters` (Foundation-free).
    func trimming(_ characters: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }

    /// Start offsets (in characters) of every occurrence of `needle`.
    func occurrences(of needle: String) -> [String.Index] {
        guard !needle.isEmpty else { return [] }
        var result: [String.Index] = []
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(needle) {
                result.append(index)
                index = self.index(after: index)
            } else {
                index = self.index(after: index)
            }
        }
        return result
    }
}

let punctuation: Set<Character> = [",", ".", ":", "!", ";"]

/// Substring search on UTF-8 bytes. The guards avoid `String.contains(String)`, which in a process
/// that loads Foundation resolves to a locale-aware search that converts the text to UTF-16 each call.
struct ByteText {
    let bytes: [UInt8]

    init(_ text: String) { bytes = Array(text.utf8) }
    init<S: StringProtocol>(_ text: S) { bytes = Array(text.utf8) }

    func contains(_ needle: String) -> Bool { firstIndex(of: needle) != nil }

    func firstIndex(of needle: String, from start: Int = 0) -> Int? {
        var needle = needle
        return needle.withUTF8 { (pattern: UnsafeBufferPointer<UInt8>) -> Int? in
            guard let first = pattern.first, start >= 0, start + pattern.count <= bytes.count else { return nil }
            return bytes.withUnsafeBufferPointer { (haystack: UnsafeBufferPointer<UInt8>) -> Int? in
                let base = haystack.baseAddress!
                let last = haystack.count - pattern.count
                var i = start
                // memchr finds candidate first bytes with vector instructions; memcmp checks the rest.
                while i <= last {
                    guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return nil }
                    let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + position, pattern.baseAddress!, pattern.count) == 0 { return position }
                    i = position + 1
                }
                return nil
            }
        }
    }
}

extension StringProtocol {
    /// Byte-level `contains`, see `ByteText`.
    func containsBytes(_ needle: String) -> Bool { ByteText(self).contains(needle) }
}
