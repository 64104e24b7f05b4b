/// Text as an array of Unicode scalars, so every scanner works with integer offsets that are also the
/// offsets reported to callers (code points, the unit `gatehouse scan` documents).
struct ScalarText {
    let scalars: [Unicode.Scalar]
    var count: Int { scalars.count }

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    subscript(_ index: Int) -> Unicode.Scalar { scalars[index] }

    func string(_ start: Int, _ end: Int) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[start..<end])
        return String(result)
    }

    /// Lowercased ASCII-folded text of a range, for cue matching.
    func lower(_ start: Int, _ end: Int) -> String {
        string(max(0, start), min(count, end)).lowercased()
    }

    func isDigit(_ i: Int) -> Bool { i >= 0 && i < count && scalars[i].properties.numericType == .decimal && scalars[i].isASCII }
    func isLetter(_ i: Int) -> Bool { i >= 0 && i < count && scalars[i].properties.isAlphabetic }
    func isUpper(_ i: Int) -> Bool { i >= 0 && i < count && scalars[i].properties.isUppercase }
    func isAlnum(_ i: Int) -> Bool { isDigit(i) || isLetter(i) }
    func isSpace(_ i: Int) -> Bool { i >= 0 && i < count && scalars[i].properties.isWhitespace }
    func `is`(_ i: Int, _ character: Character) -> Bool {
        i >= 0 && i < count && Character(scalars[i]) == character
    }
    func isHex(_ i: Int) -> Bool {
        guard i >= 0 && i < count, scalars[i].isASCII else { return false }
        let v = scalars[i].value
        return (48...57).contains(v) || (65...70).contains(v) || (97...102).contains(v)
    }
}

/// A word with its scalar span (letters, with inner apostrophes, hyphens and dots of abbreviations).
struct Word {
    var start: Int
    var end: Int
    var text: String
    var lower: String
    var isCapitalized: Bool
    /// A line break lies between the previous word and this one.
    var startsLine: Bool
}

extension ScalarText {
    /// Words made of letters (and digits glued to letters, as in 221B), with inner ' - and a trailing
    /// abbreviation dot kept when the word is short (Dr., St., Mme.).
    func words() -> [Word] {
        var words: [Word] = []
        var i = 0
        var sawNewline = true
        while i < count {
            if isAlnum(i) {
                let start = i
                while i < count && (isAlnum(i) || ((self.is(i, "'") || self.is(i, "’") || self.is(i, "-")) && isAlnum(i + 1))) { i += 1 }
                var end = i
                if self.is(i, "."), end - start <= 4, isLetter(start) { end += 1; i += 1 }
                let text = string(start, end)
                words.append(Word(start: start, end: end, text: text, lower: text.lowercased(), isCapitalized: isUpper(start), startsLine: sawNewline))
                sawNewline = false
            } else {
                if scalars[i] == "\n" { sawNewline = true }
                i += 1
            }
        }
        return words
    }
}

extension String {
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
