/// Scanners for the PII types found from context: birth dates (a date near a birth cue), person
/// names (salutations, titles, introductions, signatures, first-name lists) and street addresses
/// (house number and street patterns in English, French, German and Spanish).
enum ContextScanners {
    // MARK: Dates of birth

    static let months: [String: Int] = {
        var table: [String: Int] = [:]
        let names: [[String]] = [
            ["january", "jan", "janvier", "januar", "jänner", "enero", "ene"],
            ["february", "feb", "février", "fevrier", "févr", "februar", "febrero"],
            ["march", "mar", "mars", "märz", "marz", "marzo"],
            ["april", "apr", "avril", "avr", "abril", "abr"],
            ["may", "mai", "mayo"],
            ["june", "jun", "juin", "juni", "junio"],
            ["july", "jul", "juillet", "juil", "juli", "julio"],
            ["august", "aug", "août", "aout", "agosto", "ago"],
            ["september", "sep", "sept", "septembre", "septiembre"],
            ["october", "oct", "octobre", "oktober", "okt", "octubre"],
            ["november", "nov", "novembre", "noviembre"],
            ["december", "dec", "décembre", "decembre", "dezember", "dez", "diciembre", "dic"],
        ]
        for (index, list) in names.enumerated() { for name in list { table[name] = index + 1 } }
        return table
    }()

    static let birthCues = [
        "born", "birth", "dob", "d.o.b", "birthday", "né le", "née le", "né en", "née en", "naissance", "geboren", "geburtsdatum",
        "geburtstag", "geb.", "nacimiento", "nacido", "nacida", "cumpleaños", "fecha de nac",
    ]

    /// Every date in the text (numeric and written-out in four languages), as scalar spans.
    static func dates(_ t: ScalarText, words: [Word]) -> [(start: Int, end: Int)] {
        var spans: [(Int, Int)] = []
        // Numeric: d.m.yyyy, d/m/yyyy, d-m-yyyy, yyyy-mm-dd (also two-digit years with a separator).
        var i = 0
        while i < t.count {
            guard t.isDigit(i), !t.isAlnum(i - 1), !t.is(i - 1, "."), !t.is(i - 1, "/"), !t.is(i - 1, "-") else { i += 1; continue }
            var j = i
            var groups: [Int] = []
            var separator: Unicode.Scalar?
            var length = 0
            while j < t.count {
                if t.isDigit(j) { length += 1; j += 1 }
                else if (t.is(j, ".") || t.is(j, "/") || t.is(j, "-")) && t.isDigit(j + 1) && length > 0 && (separator == nil || separator == t[j]) {
                    separator = t[j]; groups.append(length); length = 0; j += 1
                } else { break }
            }
            if length > 0 { groups.append(length) }
            if !t.isAlnum(j) && (groups == [2, 2, 4] || groups == [1, 2, 4] || groups == [2, 1, 4] || groups == [1, 1, 4] || groups == [4, 2, 2]) {
                spans.append((i, j))
            }
            i = max(j, i + 1)
        }
        // Written out: "12 March 1985", "12. März 1985", "12 de marzo de 1985", "March 12, 1985", "1er mars 1985".
        // Indices first: copying every word (two strings) to test one flag cost more than the test.
        for index in words.indices where words[index].is(Lexicon.month) {
            let word = words[index]
            // Day before the month.
            var start: Int?
            if index >= 1, isDay(words[index - 1]) { start = words[index - 1].start }
            if index >= 2, words[index - 1].lower == "de", isDay(words[index - 2]) { start = words[index - 2].start }
            var end: Int?
            var next = index + 1
            if next < words.count, words[next].lower == "de" { next += 1 }
            if next < words.count, isYear(words[next]), words[next].start - word.end <= 4 { end = words[next].end }
            if let start, let end { spans.append((start, end)); continue }
            // Month, day, year.
            if index + 2 < words.count, isDay(words[index + 1]), isYear(words[index + 2]), words[index + 2].start - words[index + 1].end <= 3 {
                spans.append((word.start, words[index + 2].end))
            }
        }
        return spans
    }

    static func isDay(_ word: Word) -> Bool {
        var text = word.lower
        for suffix in [".", "st", "nd", "rd", "th", "er", "º"] where text.hasSuffix(suffix) { text = String(text.dropLast(suffix.count)) }
        guard let value = Int(text) else { return false }
        return (1...31).contains(value)
    }

    static func isYear(_ word: Word) -> Bool {
        guard word.length == 4, let value = Int(word.lower) else { return false }
        return (1900...2030).contains(value)
    }

    static func birthDates(_ t: ScalarText, words: [Word], into findings: inout [PIIFinding]) {
        for (start, end) in dates(t, words: words) {
            let before = t.lower(start - 40, start)
            // German and other verb-final phrasings put the cue after the date ("am 12.03.1985 geboren").
            let after = t.lower(end, end + 16)
            guard StructuredScanners.hasCue(before, birthCues) || StructuredScanners.hasCue(after, ["geboren", "born", "né ", "née ", "nacido", "nacida"]) else { continue }
            if before.containsBytes("born leader") || before.containsBytes("born and raised") { continue }
            findings.append(PIIFinding(start: start, end: end, type: .dateOfBirth, score: 0.9))
        }
    }

    // MARK: Person names

    static let titles: Set<String> = [
        "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "prof", "prof.", "herr", "frau", "m.", "mme", "mme.", "mlle",
        "mlle.", "monsieur", "madame", "sr", "sr.", "sra", "sra.", "srta", "srta.", "señor", "señora", "don", "doña", "dña.",
    ]
    static let salutations: Set<String> = [
        "dear", "hi", "hello", "hey", "bonjour", "cher", "chère", "hallo", "liebe", "lieber", "hola", "estimado", "estimada",
        "querido", "querida", "salut", "moin", "servus", "guten",
    ]
    static let closings: [[String]] = [
        ["regards"], ["best", "regards"], ["kind", "regards"], ["warm", "regards"], ["best"], ["thanks"], ["thank", "you"], ["cheers"],
        ["sincerely"], ["yours", "sincerely"], ["yours", "truly"], ["cordialement"], ["bien", "cordialement"], ["bien", "à", "vous"],
        ["merci"], ["amicalement"], ["mit", "freundlichen", "grüßen"], ["viele", "grüße"], ["beste", "grüße"], ["liebe", "grüße"],
        ["gruß"], ["grüße"], ["saludos"], ["un", "saludo"], ["atentamente"], ["gracias"], ["muchas", "gracias"], ["saludos", "cordiales"],
    ]
    static let introductions: [[String]] = [
        ["my", "name", "is"], ["name", "is"], ["this", "is"], ["je", "m'appelle"], ["je", "m’appelle"], ["mon", "nom", "est"],
        ["ich", "heiße"], ["ich", "heisse"], ["mein", "name", "ist"], ["me", "llamo"], ["mi", "nombre", "es"], ["signed"],
        ["contact", "person"], ["contact"], ["customer"], ["client"], ["kunde"], ["kundin"], ["cliente"], ["from"], ["de", "la", "part", "de"],
        ["spoke", "with"], ["spoke", "to"], ["talked", "to"], ["colleague"], ["agent"], ["technician"], ["courier"],
        ["account", "holder"], ["holder"], ["applicant"], ["titulaire"], ["titular"], ["inhaber"], ["kontoinhaber"], ["employee"],
        ["i'm"], ["i’m"], ["i", "am"], ["name"], ["nom"], ["nombre"], ["passenger"], ["recipient"], ["destinataire"], ["empfänger"], ["destinatario"], ["patient"], ["tenant"], ["beneficiary"],
    ]
    /// Capitalised words that follow a cue but are not names.
    static let notNames: Set<String> = [
        "customer", "customers", "team", "support", "sir", "madam", "all", "everyone", "there", "friends", "colleagues", "client",
        "clients", "kunde", "kunden", "cliente", "clientes", "service", "services", "nordlicht", "the", "a", "an", "i", "we", "you",
        "hello", "hi", "thanks", "thank", "regards", "best", "sales", "billing", "shipping", "returns", "team,", "damen",
        "herren", "madame", "monsieur", "equipo", "équipe", "admin", "manager", "department", "order", "please", "sent", "from",
        "ich", "je", "yo", "ok", "okay", "good", "morning", "afternoon", "evening", "to", "whom", "it", "may", "concern",
        "iphone", "android", "samsung", "outlook", "gmail", "mail", "email", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "ps", "p.s", "re", "fw", "fwd",
        "att", "attn", "dpd", "dhl", "ups", "gls", "fedex", "paypal", "klarna", "visa", "mastercard", "amex", "sepa", "is", "was",
        "here", "this", "that", "de", "la", "le", "el", "der", "die", "das", "und", "and", "et", "y", "o", "or", "my", "me", "mr",
        "mrs", "ms", "dr", "geehrte", "geehrter", "sehr", "estimados", "estimadas", "cordialement", "saludos", "gracias", "merci",
        "danke", "bonne", "journée", "tag", "guten", "buenos", "días", "dias", "support-team", "kundenservice", "customer-service",
    ]
    static let particles: Set<String> = ["de", "van", "von", "der", "den", "da", "del", "della", "di", "du", "la", "le", "dos", "das", "y", "bin", "al", "ten", "ter", "zu"]

    /// Up to three name words from `index`: capitalised, not a known non-name, with particles inside.
    static func nameSpan(_ words: [Word], from index: Int, requireCapital: Bool = true, allowLineBreak: Bool = false) -> (start: Int, end: Int, count: Int)? {
        var i = index
        var last: Int?
        var taken = 0
        while i < words.count && taken < 4 {
            let word = words[i]
            if i > index && word.startsLine && !allowLineBreak { break }
            if word.isCapitalized && !word.is(Lexicon.notName) && !word.is(Lexicon.title) && word.length >= 2
                && word.isAlphabetic && !(word.length > 2 && word.isAllUpper)
            {
                last = i
                taken += 1
            } else if word.is(Lexicon.particle), let _ = last, i + 1 < words.count, words[i + 1].isCapitalized {
                // a particle inside a name (Ana de la Fuente): continue
            } else {
                break
            }
            i += 1
            if i < words.count && words[i].start - words[i - 1].end > 2 { break }  // punctuation between words ends the name
        }
        guard let last else { return nil }
        var end = words[last].end
        if words[last].endsWithDot && words[last].length > 3 { end -= 1 }
        return (words[index].start, end, taken)
    }

    static func matches(_ words: [Word], at index: Int, _ phrase: [String]) -> Bool {
        guard index + phrase.count <= words.count else { return false }
        for (offset, part) in phrase.enumerated() where words[index + offset].key != part { return false }
        return true
    }

    /// Phrases indexed by their first word, so each word costs one lookup.
    static func index(_ phrases: [[String]]) -> [String: [[String]]] {
        var table: [String: [[String]]] = [:]
        for phrase in phrases { table[phrase[0], default: []].append(phrase) }
        for key in table.keys { table[key]!.sort { $0.count > $1.count } }
        return table
    }
    static let closingIndex = index(closings)
    static let introductionIndex = index(introductions)

    static func persons(_ t: ScalarText, words: [Word], into findings: inout [PIIFinding]) {
        var index = 0
        while index < words.count {
            let word = words[index]
            var found: (start: Int, end: Int, count: Int)?
            var score = 0.0
            // Titles: Mr. Smith, Frau Weber, Mme Dubois, Sra. García.
            if word.is(Lexicon.title), index + 1 < words.count, !words[index + 1].startsLine {
                found = nameSpan(words, from: index + 1)
                score = 0.9
            }
            // Salutations at the start of a line: "Dear Anna Schmidt,", "Hi Tom,".
            if found == nil, word.startsLine || index == 0, word.is(Lexicon.salutation) {
                var next = index + 1
                if next < words.count, words[next].is(Lexicon.title) { next += 1 }
                if next < words.count, !words[next].startsLine { found = nameSpan(words, from: next); score = 0.85 }
            }
            // Introductions: "my name is …", "je m'appelle …", "ich heiße …", "me llamo …".
            if found == nil {
                for phrase in (word.is(Lexicon.introStart) ? introductionIndex[word.key] ?? [] : []) where matches(words, at: index, phrase) {
                    let next = index + phrase.count
                    if next < words.count, !words[next].startsLine || phrase.count >= 2 {
                        var start = next
                        if start < words.count, words[start].is(Lexicon.title) { start += 1 }
                        if let span = nameSpan(words, from: start) {
                            // Weak cues (this is, from, customer) need two name words or a known first name.
                            let strong = phrase.count >= 2 && phrase != ["this", "is"] && phrase != ["name", "is"] || phrase == ["my", "name", "is"]
                            if strong || span.count >= 2 || words[start].is(Lexicon.firstName) {
                                found = span
                                score = strong ? 0.9 : 0.75
                            }
                        }
                    }
                    if found != nil { break }
                }
            }
            // Signatures: a closing (at a line start or after a sentence), then the name after a comma or on the next line.
            let sentenceStart = index > 0 && (t.is(word.start - 2, ".") || t.is(word.start - 2, "!") || t.is(word.start - 1, "\n"))
            if found == nil, word.startsLine || sentenceStart {
                for phrase in (word.is(Lexicon.closingStart) ? closingIndex[word.key] ?? [] : []) where matches(words, at: index, phrase) {
                    let next = index + phrase.count
                    if next < words.count {
                        var start = next
                        if words[start].lower == "-" { start += 1 }
                        if start < words.count, let span = nameSpan(words, from: start, allowLineBreak: false),
                            words[start].start - words[next - 1].end <= 4 || words[start].startsLine
                        {
                            found = span
                            score = 0.85
                        }
                    }
                    if found != nil { break }
                }
            }
            // A dash signature: "- Jordan" at the start of a line.
            if found == nil, word.startsLine, word.start > 0, (t.is(word.start - 2, "-") || t.is(word.start - 2, "—") || t.is(word.start - 3, "-") || t.is(word.start - 3, "—")),
                let span = nameSpan(words, from: index), word.is(Lexicon.firstName)
            {
                found = span
                score = 0.75
            }
            // A known first name followed by a capitalised surname, anywhere.
            if found == nil, word.isCapitalized, word.is(Lexicon.firstName), index + 1 < words.count,
                words[index + 1].isCapitalized, !words[index + 1].startsLine, !words[index + 1].is(Lexicon.notName),
                words[index + 1].start - word.end <= 1, let span = nameSpan(words, from: index), span.count >= 2
            {
                found = span
                score = 0.7
            }
            if let found {
                findings.append(PIIFinding(start: found.start, end: found.end, type: .person, score: score))
                while index < words.count && words[index].start < found.end { index += 1 }
                continue
            }
            index += 1
        }
    }

    // MARK: Street addresses

    static let englishSuffixes: Set<String> = [
        "street", "st", "st.", "road", "rd", "rd.", "avenue", "ave", "ave.", "lane", "ln", "ln.", "drive", "dr", "dr.", "boulevard",
        "blvd", "blvd.", "way", "court", "ct", "ct.", "place", "pl", "pl.", "terrace", "close", "crescent", "square", "sq", "parkway",
        "pkwy", "highway", "hwy", "row", "walk", "gardens", "grove", "hill", "mews",
    ]
    static let directions: Set<String> = ["nw", "ne", "sw", "se", "n", "s", "e", "w", "north", "south", "east", "west"]
    static let frenchTypes: Set<String> = [
        "rue", "avenue", "av.", "boulevard", "bd", "bd.", "place", "chemin", "allée", "allee", "impasse", "quai", "route", "cours",
        "square", "passage", "faubourg", "voie",
    ]
    static let germanSuffixes = ["straße", "strasse", "str.", "str", "weg", "platz", "allee", "gasse", "ring", "damm", "ufer", "chaussee", "steig", "pfad", "markt"]
    static let spanishTypes: Set<String> = [
        "calle", "c/", "avenida", "avda.", "avda", "av.", "plaza", "pza.", "paseo", "camino", "carrera", "ronda", "travesía", "travesia",
        "carretera", "ctra.", "glorieta", "pasaje", "rambla", "vía", "via",
    ]
    static let streetConnectors: Set<String> = ["de", "la", "le", "les", "du", "des", "del", "los", "las", "d'", "l'", "el", "y", "e", "à", "al", "of", "the", "saint", "sainte"]

    static func isHouseNumber(_ word: Word) -> Bool {
        guard word.startsWithDigit else { return false }
        let utf8 = word.lower.utf8
        guard let first = utf8.first, first >= 48 && first <= 57, utf8.count <= 6 else { return false }
        var digits = 0
        for byte in utf8 { if byte >= 48 && byte <= 57 { digits += 1 } else { break } }
        guard (1...5).contains(digits) else { return false }
        let rest = utf8.count - digits
        if rest == 0 { return true }
        guard rest == 1, let last = utf8.last else { return false }
        return (last >= 65 && last <= 90) || (last >= 97 && last <= 122)
    }

    static func addresses(_ t: ScalarText, words: [Word], into findings: inout [PIIFinding]) {
        let tokens = words

        func close(_ a: Word, _ b: Word) -> Bool {
            guard b.start - a.end <= 2 else { return false }
            for k in a.end..<b.start where !(t.is(k, " ") || t.is(k, ".")) { return false }
            return true
        }

        // Only a house number or a capitalised word can start an address; the rest are skipped
        // without copying them.
        for index in tokens.indices where tokens[index].startsWithDigit || tokens[index].isCapitalized {
            let token = tokens[index]
            // English and French: number first. "221B Baker Street", "12 rue de la Paix", "5 bis avenue Victor Hugo".
            if isHouseNumber(token) {
                var k = index + 1
                if k < tokens.count, ["bis", "ter", "quater"].contains(tokens[k].lower), close(tokens[k - 1], tokens[k]) { k += 1 }
                // French: a street type right after the number, then its name.
                if k < tokens.count, tokens[k].is(Lexicon.frenchType), close(tokens[k - 1], tokens[k]) {
                    var end = k
                    var m = k + 1
                    while m < tokens.count && m - k <= 5 && close(tokens[m - 1], tokens[m])
                        && (tokens[m].isCapitalized || tokens[m].is(Lexicon.streetConnector) || tokens[m].lower.hasPrefix("d'") || tokens[m].lower.hasPrefix("l'"))
                    {
                        if tokens[m].isCapitalized || tokens[m].lower.hasPrefix("d'") || tokens[m].lower.hasPrefix("l'") { end = m }
                        m += 1
                    }
                    if end > k {
                        findings.append(PIIFinding(start: token.start, end: trimmedEnd(tokens[end]), type: .streetAddress, score: 0.9))
                        continue
                    }
                }
                // English: capitalised words, then a street suffix, then an optional direction.
                var m = index + 1
                var names = 0
                while m < tokens.count && names < 4 && close(tokens[m - 1], tokens[m]) && tokens[m].isCapitalized && !tokens[m].is(Lexicon.englishSuffix) {
                    names += 1
                    m += 1
                }
                if names >= 1, m < tokens.count, close(tokens[m - 1], tokens[m]), tokens[m].is(Lexicon.englishSuffix),
                    tokens[m].isCapitalized || tokens[m].lower.count <= 3
                {
                    var end = tokens[m].end
                    if m + 1 < tokens.count, close(tokens[m], tokens[m + 1]), tokens[m + 1].is(Lexicon.direction), tokens[m + 1].isAllUpper {
                        end = tokens[m + 1].end
                    }
                    findings.append(PIIFinding(start: token.start, end: end, type: .streetAddress, score: 0.9))
                    continue
                }
            }
            // German: "Hauptstraße 12", "Berliner Str. 5a", "Am Marktplatz 3", "An der Alster 7".
            // The house number after the street name is checked first: it rules out almost every word cheaply.
            if token.isCapitalized, index + 1 < tokens.count, isHouseNumber(tokens[index + 1]),
                germanSuffixes.contains(where: { token.lower.endsWithBytes($0) }), token.lower.count > 4 || token.lower == "str."
            {
                var start = index
                if index >= 1, tokens[index - 1].isCapitalized, close(tokens[index - 1], token),
                    tokens[index - 1].lower.endsWithBytes("er") || ["am", "an", "im", "auf", "zum", "zur", "alte", "neue", "alter", "große", "kleine"].contains(tokens[index - 1].lower)
                {
                    start = index - 1
                    if index >= 2, ["an", "auf", "in"].contains(tokens[index - 2].lower), tokens[index - 1].lower == "der", close(tokens[index - 2], tokens[index - 1]) {
                        start = index - 2
                    }
                }
                if index + 1 < tokens.count, isHouseNumber(tokens[index + 1]), close(token, tokens[index + 1]) {
                    findings.append(PIIFinding(start: tokens[start].start, end: tokens[index + 1].end, type: .streetAddress, score: 0.9))
                    continue
                }
            }
            // Spanish: "Calle Mayor 12", "C/ Alcalá, 45", "Avenida de la Constitución 8".
            let spanishKey = token.lower == "c" && t.is(token.end, "/") ? "c/" : token.lower
            if token.isCapitalized, token.is(Lexicon.spanishType) || spanishKey == "c/" {
                var m = index + 1
                var lastName: Int?
                while m < tokens.count && m - index <= 6 && tokens[m].start - tokens[m - 1].end <= 3
                    && (tokens[m].isCapitalized || tokens[m].is(Lexicon.streetConnector))
                {
                    if tokens[m].isCapitalized { lastName = m }
                    m += 1
                }
                if let lastName, m < tokens.count, isHouseNumber(tokens[m]), tokens[m].start - tokens[lastName].end <= 3 {
                    findings.append(PIIFinding(start: token.start, end: tokens[m].end, type: .streetAddress, score: 0.9))
                    continue
                }
            }
        }
    }

    static func trimmedEnd(_ word: Word) -> Int {
        word.endsWithDot && word.length > 3 ? word.end - 1 : word.end
    }
}

/// Every word list of the scanners in one table: a word costs one lookup, its flags answer every
/// "is it a title / a month / a street type" question afterwards.
enum Lexicon {
    static let title: UInt32 = 1, salutation: UInt32 = 2, notName: UInt32 = 4, particle: UInt32 = 8, firstName: UInt32 = 16,
        month: UInt32 = 32, englishSuffix: UInt32 = 64, frenchType: UInt32 = 128, spanishType: UInt32 = 256, direction: UInt32 = 512,
        streetConnector: UInt32 = 1024, introStart: UInt32 = 2048, closingStart: UInt32 = 4096

    static let table: [String: UInt32] = {
        var table: [String: UInt32] = [:]
        func add(_ words: some Sequence<String>, _ flag: UInt32) { for word in words { table[word, default: 0] |= flag } }
        add(ContextScanners.titles, title)
        add(ContextScanners.salutations, salutation)
        add(ContextScanners.notNames, notName)
        add(ContextScanners.particles, particle)
        add(FirstNames.all, firstName)
        add(ContextScanners.months.keys, month)
        add(ContextScanners.englishSuffixes, englishSuffix)
        add(ContextScanners.frenchTypes, frenchType)
        add(ContextScanners.spanishTypes, spanishType)
        add(ContextScanners.directions, direction)
        add(ContextScanners.streetConnectors, streetConnector)
        add(ContextScanners.introductions.map { $0[0] }, introStart)
        add(ContextScanners.closings.map { $0[0] }, closingStart)
        return table
    }()

    /// `table` keyed by the FNV-1a hash of each word's UTF-8: a lookup hashes bytes already in hand
    /// instead of SipHashing a String (a 64-bit collision among a few thousand words is not a concern).
    static let byteTable: FNVTable<UInt32> = {
        var hashed: [UInt64: UInt32] = [:]
        for (word, flags) in table { hashed[fnv(Array(word.utf8)[...]), default: 0] |= flags }
        return FNVTable(hashed)
    }()

    @inline(__always) static func fnv(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    @inline(__always) static func flags(of word: String) -> UInt32 {
        var word = word
        return word.withUTF8 { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return byteTable[hash] ?? 0
        }
    }
}
