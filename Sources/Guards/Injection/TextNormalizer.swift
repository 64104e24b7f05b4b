/// Undoes the obfuscations attackers use to slip instructions past keyword filters, and reports
/// which ones it saw (each is itself a signal): zero-width characters, homoglyphs from other
/// scripts, fullwidth forms, spaced-out letters and leetspeak. Diacritics are folded so that French,
/// German and Spanish phrases match without accents.
struct TextNormalizer {
    struct Result {
        /// Lowercased, folded text.
        var text: String
        /// Zero-width characters inside words.
        var zeroWidth = 0
        /// Words mixing Latin letters with look-alike letters of another script.
        var mixedScriptWords = 0
        /// Runs of five or more single letters separated by spaces (i g n o r e).
        var spacedRuns = 0
        /// Words made readable only by reading digits as letters (1gn0r3).
        var leetWords = 0
        /// Fullwidth letters and digits (ｉｇｎｏｒｅ), which keyword filters miss.
        var fullwidth = 0
    }

    static let zeroWidth: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E]

    /// Cyrillic and Greek letters that look like Latin ones.
    static let homoglyphs: [UInt32: Character] = [
        0x0430: "a", 0x0435: "e", 0x043E: "o", 0x0440: "p", 0x0441: "c", 0x0443: "y", 0x0445: "x", 0x0456: "i", 0x0458: "j",
        0x04BB: "h", 0x0501: "d", 0x051B: "q", 0x0455: "s", 0x0410: "a", 0x0415: "e", 0x041E: "o", 0x0420: "p", 0x0421: "c",
        0x0422: "t", 0x041D: "h", 0x041A: "k", 0x041C: "m", 0x0412: "b", 0x0425: "x", 0x0406: "i", 0x03BF: "o", 0x03B1: "a",
        0x03B5: "e", 0x03B9: "i", 0x03BA: "k", 0x03BD: "v", 0x03C1: "p", 0x03C4: "t", 0x03C5: "u", 0x039F: "o", 0x0391: "a",
        0x0395: "e", 0x0399: "i", 0x039A: "k", 0x039C: "m", 0x039D: "n", 0x03A1: "p", 0x03A4: "t", 0x03A7: "x",
    ]

    static let folded: [Character: Character] = [
        "à": "a", "á": "a", "â": "a", "ä": "a", "ã": "a", "å": "a", "ç": "c", "è": "e", "é": "e", "ê": "e", "ë": "e", "ì": "i",
        "í": "i", "î": "i", "ï": "i", "ñ": "n", "ò": "o", "ó": "o", "ô": "o", "ö": "o", "õ": "o", "ù": "u", "ú": "u", "û": "u",
        "ü": "u", "ÿ": "y", "ß": "s", "œ": "o", "æ": "a", "’": "'", "‘": "'",
    ]

    static let foldedScalars: [UInt32: Unicode.Scalar] = {
        var table: [UInt32: Unicode.Scalar] = [:]
        for (from, to) in folded {
            if let f = from.unicodeScalars.first, let t = to.unicodeScalars.first { table[f.value] = t }
        }
        return table
    }()

    /// Byte -> byte map of `leet` (identity elsewhere).
    static let leetBytes: [UInt8] = {
        var table = (0...255).map { UInt8($0) }
        for (from, to) in leet { table[Int(from.asciiValue!)] = to.asciiValue! }
        return table
    }()

    static let leet: [Character: Character] = ["0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"]

    static func normalize(_ text: String) -> Result {
        // Fast path: pure ASCII needs only lowercasing, byte by byte.
        var ascii = true
        for byte in text.utf8 where byte >= 128 { ascii = false; break }
        if ascii {
            let lowered = text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            return Result(text: String(decoding: lowered, as: UTF8.self))
        }
        var result = Result(text: "")
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        @inline(__always) func emit(_ scalar: Unicode.Scalar, _ output: inout [UInt8]) {
            UTF8.encode(scalar) { output.append($0) }
        }
        var wordHasLatin = false
        var wordHasLookalike = false
        var previous: Unicode.Scalar = " "
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            // Decoded by hand from the (valid) UTF-8: ASCII bytes, the bulk of the text, skip the
            // String iterator entirely.
            let lead = bytes[index]
            var value = UInt32(lead)
            if lead < 0x80 {
                index += 1
            } else {
                let width = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                value = UInt32(lead & (width == 4 ? 0x07 : width == 3 ? 0x0F : 0x1F))
                for k in 1..<width where index + k < bytes.count { value = value << 6 | UInt32(bytes[index + k] & 0x3F) }
                index += width
            }
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            // Fast path: ASCII needs only lowercasing.
            if value < 128 {
                let isLetter = (value >= 65 && value <= 90) || (value >= 97 && value <= 122)
                if isLetter {
                    wordHasLatin = true
                } else if !(value >= 48 && value <= 57) {
                    if wordHasLatin && wordHasLookalike { result.mixedScriptWords += 1 }
                    wordHasLatin = false
                    wordHasLookalike = false
                }
                output.append(UInt8(value >= 65 && value <= 90 ? value + 32 : value))
                previous = scalar
                continue
            }
            if zeroWidth.contains(value) {
                if previous.properties.isAlphabetic { result.zeroWidth += 1 }
                continue
            }
            var mapped = scalar
            if let latin = homoglyphs[value] {
                mapped = latin.unicodeScalars.first!
                wordHasLookalike = true
            } else if (0xFF01...0xFF5E).contains(value), let ascii = Unicode.Scalar(value - 0xFEE0) {
                mapped = ascii
                if ascii.properties.isAlphabetic { result.fullwidth += 1 }
            } else if value == 0x3000 || value == 0x00A0 || (0x2000...0x200A).contains(value) {
                mapped = " "  // ideographic, no-break and typographic spaces
            }
            if !mapped.properties.isAlphabetic && !(mapped.value >= 48 && mapped.value <= 57) {
                if wordHasLatin && wordHasLookalike { result.mixedScriptWords += 1 }
                wordHasLatin = false
                wordHasLookalike = false
            }
            if mapped.value < 128 {
                let v = mapped.value
                output.append(UInt8(v >= 65 && v <= 90 ? v + 32 : v))
            } else if let fold = foldedScalars[mapped.value] {
                emit(fold, &output)
            } else if mapped.properties.changesWhenLowercased {
                for lower in mapped.properties.lowercaseMapping.unicodeScalars {
                    if let fold = foldedScalars[lower.value] { emit(fold, &output) } else { emit(lower, &output) }
                }
            } else {
                emit(mapped, &output)
            }
            previous = scalar
        }
        if wordHasLatin && wordHasLookalike { result.mixedScriptWords += 1 }
        result.text = String(decoding: output, as: UTF8.self)
        return result
    }

    /// Joins runs of single letters separated by single spaces: "i g n o r e  a l l" -> "ignore all".
    static func collapseSpacedLetters(_ text: String, runs: inout Int) -> String {
        var joined: [String] = []
        return collapseSpacedLetters(text, runs: &runs, joined: &joined)
    }

    /// Also returns each collapsed run with every space removed, for stem search when the attacker
    /// left no word boundaries ("i g n o r e a l l").
    static func collapseSpacedLetters(_ text: String, runs: inout Int, joined: inout [String]) -> String {
        // Quick exit on bytes: three single letters separated by single spaces ("a b c") must occur.
        let bytes = Array(text.utf8)
        func isLetter(_ k: Int) -> Bool {
            guard k >= 0 && k < bytes.count else { return false }
            let b = bytes[k]
            return (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b >= 128
        }
        var found = false
        var probe = 0
        while probe + 4 < bytes.count && !found {
            found = bytes[probe + 1] == 32 && bytes[probe + 3] == 32 && isLetter(probe) && isLetter(probe + 2) && isLetter(probe + 4)
                && !isLetter(probe - 1) && !isLetter(probe + 5)
            probe += 1
        }
        guard found else { return text }
        let scalars = Array(text.unicodeScalars)
        let letter = scalars.map { s -> Bool in
            let v = s.value
            return v < 128 ? (v >= 97 && v <= 122) || (v >= 65 && v <= 90) : s.properties.isAlphabetic
        }
        // Quick exit: no "x y" pattern at all.
        var candidate = false
        var k = 0
        while k + 2 < scalars.count {
            if letter[k] && scalars[k + 1] == " " && letter[k + 2] && (k == 0 || !letter[k - 1]) && (k + 3 >= scalars.count || !letter[k + 3]) {
                candidate = true
                break
            }
            k += 1
        }
        guard candidate else { return text }
        var output = String.UnicodeScalarView()
        var i = 0
        func single(_ k: Int) -> Bool {
            k < scalars.count && letter[k] && (k == 0 || !letter[k - 1]) && (k + 1 >= scalars.count || !letter[k + 1])
        }
        while i < scalars.count {
            // A run: letter, space, letter, space, ... at least five letters.
            var j = i
            var letters = 0
            while single(j) && (j + 1 >= scalars.count || scalars[j + 1] == " ") {
                letters += 1
                j += 2
                // A double space separates words inside a run.
                if j < scalars.count && scalars[j] == " " && single(j + 1) { j += 1 }
            }
            if letters >= 5 {
                runs += 1
                var compact = String.UnicodeScalarView()
                for index in i..<min(j, scalars.count) where letter[index] { compact.append(scalars[index]) }
                joined.append(String(compact))
                var k = i
                while k < min(j, scalars.count) {
                    if letter[k] {
                        output.append(scalars[k])
                    } else if k + 1 < scalars.count && scalars[k] == " " && scalars[k + 1] == " " {
                        output.append(" ")
                    }
                    k += 1
                }
                output.append(" ")
                i = j
            } else {
                output.append(scalars[i])
                i += 1
            }
        }
        return String(output)
    }

    /// Reads digits and symbols inside letter words as the letters they imitate.
    static func deLeet(_ word: Substring) -> String? {
        guard word.contains(where: \.isLetter), word.contains(where: { leet[$0] != nil }) else { return nil }
        return String(word.map { leet[$0] ?? $0 })
    }
}

/// Lowercasing and accent folding shared by the guards' phrase matching.
public enum TextFolding {
    public static func fold(_ text: String) -> String {
        TextNormalizer.normalize(text).text
    }
}
