/// Scanners for the PII types with a fixed shape: e-mail addresses, phone numbers, card numbers,
/// US social security numbers, IBANs and IP addresses. Each validates what it can (Luhn, mod-97,
/// number ranges) so that look-alikes (order numbers, tracking codes, prices, versions) do not fire.
enum StructuredScanners {
    // MARK: E-mail

    static func emails(_ t: ScalarText, into findings: inout [PIIFinding]) {
        func isLocal(_ i: Int) -> Bool {
            t.isAlnum(i) || t.is(i, ".") || t.is(i, "_") || t.is(i, "%") || t.is(i, "+") || t.is(i, "-")
        }
        func isDomain(_ i: Int) -> Bool { t.isAlnum(i) || t.is(i, ".") || t.is(i, "-") }
        for at in 0..<t.count where t.is(at, "@") {
            var start = at
            while start > 0 && isLocal(start - 1) { start -= 1 }
            while start < at && (t.is(start, ".") || t.is(start, "-")) { start += 1 }
            guard start < at else { continue }
            var end = at + 1
            while end < t.count && isDomain(end) { end += 1 }
            while end > at + 1 && (t.is(end - 1, ".") || t.is(end - 1, "-")) { end -= 1 }
            let domain = t.string(at + 1, end)
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), let tld = labels.last, tld.count >= 2,
                tld.allSatisfy({ $0.isLetter })
            else { continue }
            findings.append(PIIFinding(start: start, end: end, type: .email, score: 0.99))
        }
    }

    // MARK: Digit runs: phones, cards, SSNs

    /// A run of digits with single separators between groups, as numbers are written by people.
    struct DigitRun {
        var start: Int
        var end: Int
        var digits: [UInt8]
        /// Lengths of the digit groups, in order.
        var groups: [Int]
        /// The separators used between groups.
        var separators: SeparatorSet
        var plus: Bool
        var parenthesised: Bool
    }

    static let separators: SeparatorSet = [" ", "-", ".", "/", "(", ")"]

    /// A set of the separator characters above as a bit mask: digit runs are many, and a `Set` per run
    /// costs an allocation.
    struct SeparatorSet: Equatable, ExpressibleByArrayLiteral {
        private var bits: UInt8 = 0

        init(arrayLiteral elements: Unicode.Scalar...) { for element in elements { insert(element) } }

        private static func bit(_ scalar: Unicode.Scalar) -> UInt8 {
            switch scalar {
            case " ": 1
            case "-": 2
            case ".": 4
            case "/": 8
            case "(": 16
            case ")": 32
            default: 0
            }
        }

        mutating func insert(_ scalar: Unicode.Scalar) { bits |= Self.bit(scalar) }
        func contains(_ scalar: Unicode.Scalar) -> Bool { Self.bit(scalar) != 0 && bits & Self.bit(scalar) != 0 }
        func isSubset(of other: SeparatorSet) -> Bool { bits & ~other.bits == 0 }
        var count: Int { bits.nonzeroBitCount }
    }
    static let attachedBefore: Set<Unicode.Scalar> = ["#", "_", "-", "/", ".", ":", "€", "$", "£"]

    static func digitRuns(_ t: ScalarText) -> [DigitRun] {
        var runs: [DigitRun] = []
        var i = 0
        while i < t.count {
            let startsRun = t.isDigit(i) || (t.is(i, "+") && t.isDigit(i + 1)) || (t.is(i, "(") && t.isDigit(i + 1))
            // Part of a larger token (INV-2024-000123, #48213, v2.3, SKU1234): not a number of its own.
            if !startsRun || t.isAlnum(i - 1) || (i > 0 && attachedBefore.contains(t[i - 1])) {
                if t.isDigit(i) { while t.isDigit(i) || t.isLetter(i) { i += 1 } } else { i += 1 }
                continue
            }
            var run = DigitRun(start: i, end: i, digits: [], groups: [], separators: [], plus: false, parenthesised: false)
            var j = i
            if t.is(j, "+") { run.plus = true; j += 1 }
            var group = 0
            var lastWasSeparator = false
            var closed = false
            while j < t.count {
                if t.isDigit(j) {
                    run.digits.append(UInt8(t[j].value - 48))
                    group += 1
                    lastWasSeparator = false
                    j += 1
                } else if let c = Optional(t[j]), separators.contains(c), !lastWasSeparator || c == "(" || (c == " " && t.is(j - 1, ")")),
                    t.isDigit(j + 1) || (c == ")" && t.is(j + 1, " ") && t.isDigit(j + 2)) || (c == " " && t.is(j + 1, "(")) || (c == "(" && t.isDigit(j + 1))
                {
                    if group > 0 { run.groups.append(group) }
                    group = 0
                    if c == "(" || c == ")" { run.parenthesised = true } else { run.separators.insert(c) }
                    if c == ")" { closed = true }
                    lastWasSeparator = c != ")"
                    j += 1
                } else {
                    break
                }
            }
            if group > 0 { run.groups.append(group) }
            run.end = j
            // A number in parentheses "(123-45-6789)": the opening one is punctuation, not an area code "(555) 123".
            if t.is(run.start, "(") && !closed {
                run.start += 1
                run.parenthesised = false
            }
            runs.append(run)
            i = max(j, i + 1)
            // A letter glued to the end (1Z999AA…, 12kg) makes it a code, not a number.
            if t.isLetter(j) { runs.removeLast(); while t.isAlnum(i) { i += 1 } }
        }
        return runs
    }

    static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if index % 2 == 1 { value *= 2; if value > 9 { value -= 9 } }
            sum += value
        }
        return sum % 10 == 0
    }

    static func cardPrefixValid(_ d: [UInt8]) -> Bool {
        func prefix(_ n: Int) -> Int { d.prefix(n).reduce(0) { $0 * 10 + Int($1) } }
        switch d.count {
        case 15: return [34, 37].contains(prefix(2))
        case 13, 16, 19:
            if d[0] == 4 { return true }
            if (51...55).contains(prefix(2)) || (2221...2720).contains(prefix(4)) { return d.count == 16 }
            if prefix(4) == 6011 || prefix(2) == 65 || (3528...3589).contains(prefix(4)) { return d.count >= 16 }
            return false
        case 14: return [36, 38].contains(prefix(2)) || (300...305).contains(prefix(3))
        default: return false
        }
    }

    /// Words that make a following number a reference, not a phone number.
    static let referenceCues = [
        "order", "tracking", "invoice", "ref", "reference", "case", "ticket", "sku", "ean", "isbn", "serial", "account no",
        "bestell", "rechnung", "sendung", "commande", "facture", "colis", "suivi", "pedido", "factura", "seguimiento",
        "número de pedido", "auftrag", "kunden", "customer", "id", "no.", "nr", "n°", "nº", "version", "build", "lot", "batch", "code",
        "parcel", "package", "shipment", "consignment", "paket", "lieferung", "paquete", "envío", "envio", "expédition", "article", "item",
    ]
    static let phoneCues = [
        "tel", "phone", "call", "mobile", "cell", "handy", "telefon", "téléphone", "telephone", "portable", "teléfono", "telefono",
        "móvil", "movil", "whatsapp", "ring", "fax", "appel", "anruf", "llam", "joindre", "erreichbar", "contact", "rufnummer",
        "reach me", "text me",
    ]

    static let referenceCueBytes = referenceCues.map { Array($0.utf8) }
    static let phoneCueBytes = phoneCues.map { Array($0.utf8) }

    static func context(_ t: ScalarText, before index: Int, _ width: Int = 28) -> String {
        t.lower(index - width, index)
    }

    /// Byte offset just past the last cue that starts a word in `text`, or -1.
    static func lastCue(_ text: String, _ cues: [String]) -> Int { lastCue(text, cues.map { Array($0.utf8) }) }

    static func lastCue(_ text: String, _ cues: [[UInt8]]) -> Int {
        var text = text
        return text.withUTF8 { haystack in
            var best = -1
            for needle in cues {
                guard !needle.isEmpty, needle.count <= haystack.count else { continue }
                var i = haystack.count - needle.count
                while i >= 0 {
                    if haystack[i] == needle[0] && (i == 0 || !isWordByte(haystack[i - 1])) {
                        var k = 1
                        while k < needle.count && haystack[i + k] == needle[k] { k += 1 }
                        if k == needle.count { best = max(best, i + needle.count); break }
                    }
                    i -= 1
                }
            }
            return best
        }
    }

    /// Whether a cue occurs in `text` at the start of a word (byte search on UTF-8).
    static func hasCue(_ text: String, _ cues: [String]) -> Bool { hasCue(text, cues.map { Array($0.utf8) }) }

    static func hasCue(_ text: String, _ cues: [[UInt8]]) -> Bool {
        var text = text
        return text.withUTF8 { haystack in
            cues.contains { needle in
                guard !needle.isEmpty, needle.count <= haystack.count else { return false }
                var i = 0
                while i + needle.count <= haystack.count {
                    if haystack[i] == needle[0] && (i == 0 || !isWordByte(haystack[i - 1])) {
                        var k = 1
                        while k < needle.count && haystack[i + k] == needle[k] { k += 1 }
                        if k == needle.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b >= 128 }

    static func numbers(_ t: ScalarText, into findings: inout [PIIFinding]) {
        for run in digitRuns(t) {
            let d = run.digits
            let groups = run.groups
            // Dates (12/03/2025, 2025-01-15, 12.03.1985) and times never count as numbers here.
            if groups.count == 3 && (groups == [2, 2, 4] || groups == [4, 2, 2] || groups == [1, 2, 4] || groups == [2, 1, 4] || groups == [1, 1, 4])
                && (run.separators == ["/"] || run.separators == ["."] || run.separators == ["-"]) && !run.plus
            {
                continue
            }
            // Decimal numbers and prices: one dot or comma group of two.
            if run.separators == ["."] && groups.count == 2 { continue }

            // US SSN: ddd-dd-dddd (or spaces), valid ranges.
            if groups == [3, 2, 4] && (run.separators == ["-"] || run.separators == [" "]) && !run.plus && !run.parenthesised {
                let area = Int(d[0]) * 100 + Int(d[1]) * 10 + Int(d[2])
                let group = Int(d[3]) * 10 + Int(d[4])
                let serial = d[5...].reduce(0) { $0 * 10 + Int($1) }
                if area != 0 && area != 666 && area < 900 && group != 0 && serial != 0 {
                    findings.append(PIIFinding(start: run.start, end: run.end, type: .usSSN, score: 0.9))
                    continue
                }
            }
            if groups == [9], !run.plus, hasCue(context(t, before: run.start, 24), ["ssn", "social security", "sozialversicherung"]) {
                findings.append(PIIFinding(start: run.start, end: run.end, type: .usSSN, score: 0.8))
                continue
            }

            // Payment cards: 13-19 digits, groups by space or dash, Luhn and a real issuer prefix.
            if (13...19).contains(d.count) && !run.plus && !run.parenthesised && run.separators.isSubset(of: [" ", "-"])
                && (groups.count == 1 || groups.allSatisfy { (3...6).contains($0) }) && luhn(d) && cardPrefixValid(d)
            {
                findings.append(PIIFinding(start: run.start, end: run.end, type: .creditCard, score: 0.98))
                continue
            }

            if let score = phoneScore(run, t) {
                findings.append(PIIFinding(start: run.start, end: run.end, type: .phone, score: score))
            }
        }
    }

    static func phoneScore(_ run: DigitRun, _ t: ScalarText) -> Double? {
        let d = run.digits
        let groups = run.groups
        guard (7...15).contains(d.count), !run.separators.contains("/") || groups.count == 2 else { return nil }
        let before = context(t, before: run.start)
        // A reference cue counts when it is right before the number ("order 100234567") and nearer
        // than any phone cue; "my parcel … my number: 06 …" is a phone number.
        let reference = lastCue(before, referenceCueBytes)
        let gap = reference < 0 ? [] : Array(before.utf8)[reference...]
        let wordsBetween = gap.split(whereSeparator: { $0 == 32 || $0 == 58 || $0 == 10 }).count
        let isReference = reference >= 0 && wordsBetween <= 1 && !gap.contains(46) && reference > lastCue(before, phoneCueBytes)
        if run.plus {
            // E.164: country code, then 6 to 14 digits.
            return d.count >= 8 && groups.count <= 6 ? 0.97 : nil
        }
        if isReference { return nil }
        let cue = hasCue(before, phoneCueBytes)
        // North American: (415) 555-0132, 415-555-0132, 415.555.0132, 1-800-555-0199.
        if d.count == 10 && (groups == [3, 3, 4]) && d[0] >= 2 && d[3] >= 2 { return run.parenthesised || run.separators.count == 1 ? 0.9 : 0.8 }
        if d.count == 11 && d[0] == 1 && groups == [1, 3, 3, 4] { return 0.9 }
        // National numbers with a trunk 0 (UK, FR, DE, NL, and most of Europe).
        if d[0] == 0 && d.count >= 9 && d.count <= 12 && d[1] != 0 {
            if groups.count >= 2 && groups.allSatisfy({ $0 >= 2 }) { return 0.88 }
            if groups.count == 1 { return cue ? 0.8 : (d.count == 10 || d.count == 11 ? 0.6 : nil) }
        }
        // Spain: nine digits starting 6, 7, 8 or 9, in groups.
        if d.count == 9 && [6, 7, 8, 9].contains(d[0]) && groups.count >= 3 && run.separators == [" "] { return 0.85 }
        if cue && d.count >= 9 { return 0.7 }
        return nil
    }

    // MARK: IBAN

    static let ibanLengths: [String: Int] = [
        "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18,
        "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
        "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    ]

    /// `ibanLengths` indexed by the two country letters (A-Z each): no string per candidate.
    static let ibanLengthTable: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 26 * 26)
        for (country, length) in ibanLengths {
            let letters = Array(country.utf8)
            table[Int(letters[0] - 65) * 26 + Int(letters[1] - 65)] = UInt8(length)
        }
        return table
    }()

    static func ibans(_ t: ScalarText, into findings: inout [PIIFinding]) {
        @inline(__always) func upperASCII(_ index: Int) -> UInt8 {
            let value = UInt8(truncatingIfNeeded: t[index].value)
            return value >= 97 && value <= 122 ? value - 32 : value
        }
        var characters: [UInt8] = []
        characters.reserveCapacity(34)
        var i = 0
        while i + 4 < t.count {
            guard t.isLetter(i), t.isLetter(i + 1), t[i].isASCII, t[i + 1].isASCII, t.isDigit(i + 2), t.isDigit(i + 3), !t.isAlnum(i - 1) else {
                i += 1
                continue
            }
            let length = Int(ibanLengthTable[Int(upperASCII(i) - 65) * 26 + Int(upperASCII(i + 1) - 65)])
            guard length > 0 else { i += 1; continue }
            characters.removeAll(keepingCapacity: true)
            var j = i
            while j < t.count && characters.count < length {
                if t.isAlnum(j) && t[j].isASCII {
                    characters.append(upperASCII(j))
                    j += 1
                } else if t.is(j, " ") && t.isAlnum(j + 1) && t[j + 1].isASCII {
                    j += 1
                } else {
                    break
                }
            }
            if characters.count == length && !t.isAlnum(j) && mod97(characters) == 1 {
                findings.append(PIIFinding(start: i, end: j, type: .iban, score: 0.99))
                i = j
            } else {
                i += 1
            }
        }
    }

    /// ISO 13616 check: the first four characters moved to the end, letters as 10...35, mod 97.
    /// `characters` are uppercase ASCII letters and digits.
    static func mod97(_ characters: [UInt8]) -> Int {
        var remainder = 0
        for index in 0..<characters.count {
            let character = characters[(index + 4) % characters.count]
            if character >= 48 && character <= 57 {
                remainder = (remainder * 10 + Int(character - 48)) % 97
            } else if character >= 65 && character <= 90 {
                remainder = (remainder * 100 + Int(character) - 55) % 97
            } else {
                return -1
            }
        }
        return remainder
    }

    // MARK: IP addresses

    static func ipAddresses(_ t: ScalarText, into findings: inout [PIIFinding]) {
        var i = 0
        while i < t.count {
            // IPv6 candidates: hex digits and colons (and dots for an embedded IPv4).
            if (t.isHex(i) || t.is(i, ":")) && !t.isAlnum(i - 1) && !t.is(i - 1, ":") && !t.is(i - 1, ".") {
                var j = i
                var colons = 0
                while j < t.count && (t.isHex(j) || t.is(j, ":") || (t.is(j, ".") && t.isDigit(j + 1))) {
                    if t.is(j, ":") { colons += 1 }
                    j += 1
                }
                if colons >= 2 && !t.isLetter(j) {
                    var end = j
                    while end > i && t.is(end - 1, ":") && !(end - 2 >= i && t.is(end - 2, ":")) { end -= 1 }
                    if isIPv6(t.string(i, end)) {
                        findings.append(PIIFinding(start: i, end: end, type: .ipAddress, score: 0.95))
                        i = end
                        continue
                    }
                }
            }
            // IPv4: four dotted decimal octets.
            if t.isDigit(i) && !t.isAlnum(i - 1) && !t.is(i - 1, ".") {
                var j = i
                // Counted, not collected: no array per number in the text.
                var parts = 0
                var partsInRange = true
                var current = 0
                var length = 0
                while j < t.count {
                    if t.isDigit(j) {
                        if length < 4 { current = current * 10 + Int(t[j].value - 48) }
                        length += 1
                        j += 1
                    } else if t.is(j, ".") && t.isDigit(j + 1) && length > 0 {
                        parts += 1
                        if length > 3 || current > 255 { partsInRange = false }
                        current = 0
                        length = 0
                        j += 1
                    } else {
                        break
                    }
                }
                if length > 0 {
                    parts += 1
                    if length > 3 || current > 255 { partsInRange = false }
                }
                if parts == 4 && partsInRange && !t.isAlnum(j) && !(t.is(j, ".") && t.isDigit(j + 1)) {
                    let before = context(t, before: i, 16)
                    let isVersion = hasCue(before, ["version", "v", "build", "release", "ios", "android", "firmware", "update", "app"])
                        || t.is(i - 1, "v") || t.is(i - 1, "V")
                    if !isVersion {
                        findings.append(PIIFinding(start: i, end: j, type: .ipAddress, score: 0.95))
                    }
                }
                i = max(j, i + 1)
                continue
            }
            i += 1
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        let doubleColons = text.occurrences(of: "::").count
        guard doubleColons <= 1 else { return false }
        var groups = text.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
        var embeddedIPv4 = false
        if let last = groups.last, last.contains(".") {
            let octets = last.split(separator: ".")
            guard octets.count == 4, octets.allSatisfy({ Int($0).map { $0 <= 255 } ?? false }) else { return false }
            groups.removeLast()
            embeddedIPv4 = true
        }
        guard groups.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }) else { return false }
        let total = groups.count + (embeddedIPv4 ? 2 : 0)
        if doubleColons == 1 { return total < 8 && (total >= 1 || text == "::") && !(text.hasPrefix(":") && !text.hasPrefix("::")) }
        // Without '::' an address has all eight groups; six two-digit groups is a MAC address, three is a time.
        return total == 8 && !text.hasPrefix(":") && !text.hasSuffix(":")
    }
}
