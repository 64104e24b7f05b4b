import LocalEngine

/// How likely a text is to carry a prompt injection, and why.
public struct InjectionAssessment: Sendable, Hashable {
    /// 0...1; compare with the contract's threshold.
    public var score: Double
    /// The signals that fired: rule families (`instruction_override`, `roleplay_jailbreak`,
    /// `system_prompt_extraction`, `exfiltration`, `tool_abuse`), obfuscations (`zero_width`,
    /// `homoglyphs`, `spaced_letters`, `leetspeak`, `base64`) and `classifier`.
    public var signals: [String]
    /// The trained classifier's probability of injection, when a classifier is configured.
    public var classifierProbability: Double?

    public init(score: Double, signals: [String], classifierProbability: Double?) {
        self.score = score
        self.signals = signals
        self.classifierProbability = classifierProbability
    }
}

/// Prompt-injection detection: phrase rules over normalised text (obfuscation undone), structural
/// signals (markdown exfiltration, chat-template markers, encoded payloads), combined with a
/// classifier trained by the local engine on labelled examples. Pure: no I/O.
public struct InjectionDetector: Sendable {
    /// Labels `injection` / `benign`.
    public let classifier: TextClassifier?

    public init(classifier: TextClassifier? = nil) {
        self.classifier = classifier
    }

    /// Words with their bigrams and character 4-grams inside words (which carry inflections, typos
    /// and the other languages' forms of a word; 3- to 5-grams scored the same in cross-validation at
    /// three times the featurising cost). No temperature calibration: the score is placed on the
    /// threshold by `classifierOperatingPoint` instead.
    public static let trainingSettings = TrainingSettings(hasher: FeatureHasher(characterNGrams: 4...4), calibrationShare: 0)

    /// The classifier probability that maps to a score of 0.5, the default threshold. Chosen by
    /// 5-fold cross-validation over the hand-written training sets in `datasets/guards/injection-extra`
    /// (the other training files, the demo's support tickets among them, always in the training
    /// folds): the probability above which 2.5% of the held-out benign items fall, a margin under the
    /// 3% false-positive target.
    public static let classifierOperatingPoint = 0.80

    /// Rule scores at or above this are flagged whatever the classifier says: an attack phrase hidden
    /// by obfuscation, or decoded from base64 (both score 0.95). Plain phrase matches (up to 0.9) are
    /// left to the classifier: in cross-validation they flagged innocent texts ("ignore my previous
    /// message", security training quoting an attack) as often as they caught what it missed.
    public static let decisiveRuleScore = 0.95

    /// Trains the classifier head from labelled texts (label 1 = injection).
    public static func trainClassifier(texts: [String], labels: [Bool], settings: TrainingSettings = trainingSettings) throws -> TextClassifier {
        try TextClassifier.train(
            texts: texts.map(classifierText), labels: labels.map { $0 ? "injection" : "benign" }, knownLabels: ["benign", "injection"], field: "injection",
            settings: settings)
    }

    public func assess(_ text: String) -> InjectionAssessment {
        var signals: [String] = []
        var normalizedText = ""
        let rules = ruleScore(text, depth: 0, signals: &signals, normalizedText: &normalizedText)
        var probability: Double?
        if let classifier {
            probability = classifier.predict(normalizedText).probabilities["injection"] ?? 0
        }
        // The classifier leads: measured on texts by a new author, it separates attacks from innocent
        // uses of trigger words better than the phrase rules (ROC AUC 0.94 against 0.85). The rules
        // still decide alone when they are certain (obfuscated or encoded attacks).
        var score = rules
        if let p = probability {
            let point = Self.classifierOperatingPoint
            let scaled = p < point ? 0.5 * p / point : 0.5 + 0.5 * (p - point) / (1 - point)
            if scaled >= 0.5 { signals.append("classifier") }
            score = rules >= Self.decisiveRuleScore ? max(rules, scaled) : scaled
        }
        var seen = Set<String>()
        return InjectionAssessment(score: score, signals: signals.filter { seen.insert($0).inserted }, classifierProbability: probability)
    }

    /// What the classifier reads, in training and in use: the text with its obfuscation undone.
    public static func classifierText(_ text: String) -> String {
        var runs = 0
        return TextNormalizer.collapseSpacedLetters(TextNormalizer.normalize(text).text, runs: &runs)
    }

    func ruleScore(_ text: String, depth: Int, signals: inout [String]) -> Double {
        var ignored = ""
        return ruleScore(text, depth: depth, signals: &signals, normalizedText: &ignored)
    }

    /// `normalizedText` receives the text as the classifier reads it (`classifierText`).
    func ruleScore(_ text: String, depth: Int, signals: inout [String], normalizedText: inout String) -> Double {
        let normalized = TextNormalizer.normalize(text)
        var runs = 0
        var spacedRuns: [String] = []
        let collapsed = TextNormalizer.collapseSpacedLetters(normalized.text, runs: &runs, joined: &spacedRuns)
        normalizedText = collapsed
        var score = 0.0
        var obfuscated = false
        if normalized.zeroWidth > 0 { signals.append("zero_width"); obfuscated = true }
        if normalized.mixedScriptWords > 0 { signals.append("homoglyphs"); obfuscated = true }
        if runs > 0 { signals.append("spaced_letters"); obfuscated = true }
        if normalized.fullwidth >= 3 { signals.append("fullwidth"); obfuscated = true }
        for run in spacedRuns {
            // Letters spelled out one by one with no word boundaries: look for the stems of an attack.
            let stems = InjectionRules.spacedStems.filter { run.containsBytes($0) }
            if stems.count >= 2 || (stems.count == 1 && run.utf8.count >= 12) {
                signals.append("instruction_override")
                score = max(score, stems.count >= 2 ? 0.9 : 0.6)
            }
        }

        // Words and their classes; leetspeak words get the classes of their decoded form.
        var masks: [UInt64] = []
        var leet = false
        var snakeCaseAction = false
        var functionCalls: [Int] = []
        var starts: [Int] = []
        var hasDestination = false
        let bytes = Array(collapsed.utf8)
        masks.reserveCapacity(bytes.count / 5)
        var start = 0
        // Hyphens separate words here, so compounds such as "Erstattungs-Tool" or "API-Schlüssel" match their parts.
        func isWordByte(_ b: UInt8) -> Bool {
            (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b >= 128 || b == 95 || b == 39 || b == 64 || b == 36 || b == 46
        }
        var index = 0
        var hasLetter = false, hasLeet = false, hasAt = false, hasDot = false, hasUnderscore = false
        while index <= bytes.count {
            if index < bytes.count {
                let b = bytes[index]
                if isWordByte(b) {
                    if (b >= 97 && b <= 122) || b >= 128 { hasLetter = true }
                    else if (b >= 48 && b <= 57) || b == 36 { hasLeet = true }
                    else if b == 64 { hasAt = true; hasLeet = true }
                    else if b == 46 { hasDot = true }
                    else if b == 95 { hasUnderscore = true }
                    index += 1
                    continue
                }
            }
            var from = start, to = index
            while to > from, bytes[to - 1] == 39 || bytes[to - 1] == 45 || bytes[to - 1] == 46 { to -= 1 }
            while from < to, bytes[from] == 39 || bytes[from] == 45 || bytes[from] == 46 { from += 1 }
            if from < to && hasLetter {
                if hasAt && hasDot { hasDestination = true }  // an e-mail address
                var mask = InjectionRules.classes(bytes: bytes[from..<to])
                if mask == 0 && to - from >= 6 && to - from <= 24 && !hasLeet && !hasUnderscore {
                    // A doubled or dropped letter ("insstrucciones", "mesage") is still the word.
                    mask = InjectionRules.squeezedLookup[InjectionRules.fnv(InjectionRules.squeeze(bytes[from..<to])[...])] ?? 0
                }
                if mask == 0 && hasLeet && to - from >= 3 && to - from <= 24 {
                    // Leetspeak: digits and symbols read as the letters they imitate (1gn0r3 -> ignore).
                    let decoded = bytes[from..<to].map { TextNormalizer.leetBytes[Int($0)] }
                    mask = InjectionRules.classes(bytes: decoded[...])
                    if mask != 0 { leet = true }
                }
                // A function-like name that does something consequential (delete_account, issue_refund), not any
                // identifier with an underscore (web_form).
                // A function call spelled out in the text: issue_voucher(amount=500), update_order_status(...).
                if hasUnderscore && to == index && index < bytes.count && bytes[index] == 40 { functionCalls.append(masks.count) }
                if hasUnderscore && to - from > 4 && bytes[from] >= 97 && bytes[from] <= 122 {
                    let name = String(decoding: bytes[from..<to], as: UTF8.self)
                    if ["delete", "refund", "transfer", "grant", "reset", "export", "drop", "admin", "payout", "wipe", "disable", "send"]
                        .contains(where: { name.containsBytes($0) })
                    {
                        snakeCaseAction = true
                    }
                }
                masks.append(mask)
                starts.append(from)
            } else if from < to {
                masks.append(0)
                starts.append(from)
            }
            hasLetter = false; hasLeet = false; hasAt = false; hasDot = false; hasUnderscore = false
            index += 1
            start = index
        }
        if leet { signals.append("leetspeak"); obfuscated = true }
        // Sending data somewhere is only exfiltration when there is somewhere to send it.
        let collapsedBytes = ByteText(collapsed)
        let found = MarkerIndex.scan(collapsedBytes.bytes)
        hasDestination = hasDestination || found.contains("http") || found.contains("www.")
        let ownData = Self.asksForOwnData(masks)
        let money = Self.mentionsMoney(collapsedBytes.bytes)
        for hit in InjectionRules.matches(masks) where hit.name != "exfiltration" || (hasDestination && !ownData) {
            signals.append(hit.name)
            // "Call the refund tool for 10,000 EUR": a tool told to move money.
            score = max(score, hit.name == "tool_abuse" && money ? 0.7 : hit.score)
        }
        let verb = UInt64(1) << UInt64(InjectionRules.WordClass.toolVerb.rawValue)
        // An order to run it ("Execute issue_voucher(...)"), not a developer describing a call ("when we call get_order(42)").
        for call in functionCalls where Self.imperativeVerb(before: call, masks: masks, starts: starts, bytes: bytes, verb: verb) {
            signals.append("tool_abuse")
            score = max(score, 0.75)
        }
        if snakeCaseAction {
            if masks.contains(where: { $0 & verb != 0 }) {
                signals.append("tool_abuse")
                score = max(score, 0.65)
            }
        }
        score = max(score, structuralScore(text, normalized: collapsedBytes, found: found, signals: &signals))
        if depth == 0, let decoded = Self.decodedBase64Runs(text), !decoded.isEmpty {
            var inner: [String] = []
            let innerScore = ruleScore(decoded.joined(separator: "\n"), depth: 1, signals: &inner)
            if innerScore >= 0.5 {
                signals.append("base64")
                signals += inner
                score = max(score, 0.95)
            }
        }
        // Hiding a phrase that names instructions, modes or tools is itself the attack.
        if obfuscated && score >= 0.4 { score = max(score, 0.95) }
        return score
    }

    /// Whether one of the two words before `index` is a tool verb opening a sentence or clause.
    static func imperativeVerb(before index: Int, masks: [UInt64], starts: [Int], bytes: [UInt8], verb: UInt64) -> Bool {
        for candidate in stride(from: index - 1, through: max(0, index - 2), by: -1) where masks[candidate] & verb != 0 {
            var k = starts[candidate] - 1
            while k >= 0 && bytes[k] == 32 { k -= 1 }
            // Start of text, or after . ! ? : ; , newline, quote or '>'.
            if k < 0 || [46, 33, 63, 58, 59, 44, 10, 34, 39, 62, 45].contains(bytes[k]) { return true }
            if candidate > 0 {
                let previous = String(decoding: bytes[starts[candidate - 1]..<(k + 1)], as: UTF8.self)
                if ["please", "now", "then", "and", "bitte", "favor", "just", "simply"].contains(previous) { return true }
            }
        }
        return false
    }

    /// "Send our own customer export to …": a request about the sender's own data, not exfiltration.
    static func asksForOwnData(_ masks: [UInt64]) -> Bool {
        let own = UInt64(1) << UInt64(InjectionRules.WordClass.ownership.rawValue)
        let data = UInt64(1) << UInt64(InjectionRules.WordClass.secretData.rawValue)
        for (index, mask) in masks.enumerated() where mask & data != 0 {
            if masks[max(0, index - 3)..<index].contains(where: { $0 & own != 0 }) { return true }
        }
        return false
    }

    /// An amount of money: "10,000 EUR", "500 €", "$200", "€50".
    static func mentionsMoney(_ bytes: [UInt8]) -> Bool {
        func isDigit(_ k: Int) -> Bool { k >= 0 && k < bytes.count && bytes[k] >= 48 && bytes[k] <= 57 }
        let units: [[UInt8]] = ["eur", "euro", "usd", "gbp", "dollar", "\u{20AC}", "$", "\u{00A3}"].map { Array($0.utf8) }
        var k = 0
        while k < bytes.count {
            if isDigit(k) && !isDigit(k + 1) && bytes[k + 1 < bytes.count ? k + 1 : k] != 44 && bytes[k + 1 < bytes.count ? k + 1 : k] != 46 {
                var after = k + 1
                if after < bytes.count && bytes[after] == 32 { after += 1 }
                for unit in units where after + unit.count <= bytes.count && bytes[after..<after + unit.count].elementsEqual(unit) { return true }
            }
            if bytes[k] == 36 && isDigit(k + 1) { return true }
            if k + 3 < bytes.count && bytes[k] == 0xE2 && bytes[k + 1] == 0x82 && bytes[k + 2] == 0xAC && isDigit(k + 3) { return true }
            k += 1
        }
        return false
    }

    /// Markdown images and links that carry data out, and chat-template markers in user text.
    func structuralScore(_ text: String, normalized: String, signals: inout [String]) -> Double {
        structuralScore(text, normalized: ByteText(normalized), found: MarkerIndex.scan(ByteText(normalized).bytes), signals: &signals)
    }

    func structuralScore(_ text: String, normalized bytes: ByteText, found: MarkerIndex.Found, signals: inout [String]) -> Double {
        var score = 0.0
        let normalized = String(decoding: bytes.bytes, as: UTF8.self)
        func slice(from start: Int, max length: Int, until stop: UInt8) -> ArraySlice<UInt8> {
            let end = min(bytes.bytes.count, start + length)
            let window = bytes.bytes[start..<end]
            return window.prefix { $0 != stop }
        }
        func has(_ window: ArraySlice<UInt8>, _ needle: String) -> Bool { ByteText(String(decoding: window, as: UTF8.self)).contains(needle) }
        if found.contains("!["), let image = bytes.firstIndex(of: "![") {
            let rest = bytes.bytes[image..<min(bytes.bytes.count, image + 400)]
            let restText = ByteText(String(decoding: rest, as: UTF8.self))
            if restText.contains("](http") || restText.contains("]( http") {
                signals.append("exfiltration")
                let open = rest.firstIndex(of: 40) ?? image
                let query = slice(from: open, max: 400, until: 41)
                score = max(score, has(query, "?") || has(query, "{") ? 0.95 : 0.7)
            }
        }
        for marker in ["](http", "]( http"] where found.contains(marker) {
            var from = 0
            while let at = bytes.firstIndex(of: marker, from: from) {
                let target = slice(from: at, max: 300, until: 41)
                if has(target, "{") || has(target, "key=") || has(target, "token=") || has(target, "data=") {
                    signals.append("exfiltration")
                    score = max(score, 0.9)
                }
                from = at + 1
            }
        }
        for marker in MarkerIndex.templateMarkers where found.contains(marker) {
            signals.append("instruction_override")
            score = max(score, 0.8)
        }
        // Content that addresses the model itself: a hallmark of injections hidden in pages, reviews and documents.
        for marker in MarkerIndex.addressingMarkers where found.contains(marker) {
            signals.append("instruction_override")
            score = max(score, 0.7)
        }
        if found.contains("system:") || found.contains("system prompt:") || found.contains("assistant:") {
            for line in normalized.split(separator: "\n") {
                let trimmed = String(line).trimming([" ", "\t", ">", "*", "-"])
                if trimmed.hasPrefix("system:") || trimmed.hasPrefix("system prompt:") || trimmed.hasPrefix("assistant:") {
                    signals.append("instruction_override")
                    score = max(score, 0.6)
                }
            }
        }
        return score
    }

    /// Base64 runs of at least 16 characters that decode to mostly printable text.
    static func decodedBase64Runs(_ text: String) -> [String]? {
        var results: [String] = []
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index <= bytes.count {
                if index < bytes.count {
                    let byte = bytes[index]
                    let isBase64 = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 43 || byte == 47
                        || byte == 61 || byte == 45 || byte == 95
                    if isBase64 { index += 1; continue }
                }
                if index - runStart >= 16, let decoded = Base64.decode(Array(bytes[runStart..<index])), decoded.count >= 8 {
                    let printable = decoded.filter { ($0 >= 32 && $0 < 127) || $0 == 10 || $0 >= 0xC2 }.count
                    if Double(printable) / Double(decoded.count) > 0.9, let string = String(validating: decoded, as: UTF8.self) {
                        results.append(string)
                    }
                }
                index += 1
                runStart = index
            }
        }
        return results
    }
}

/// A small base64 decoder (standard and URL-safe alphabets, padding optional).
enum Base64 {
    static func decode(_ input: [UInt8]) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(input.count)
        for byte in input {
            switch byte {
            case 65...90: values.append(byte - 65)
            case 97...122: values.append(byte - 71)
            case 48...57: values.append(byte + 4)
            case 43, 45: values.append(62)
            case 47, 95: values.append(63)
            case 61: break
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index + 1 < values.count {
            let a = values[index], b = values[index + 1]
            output.append(a << 2 | b >> 4)
            if index + 2 < values.count {
                let c = values[index + 2]
                output.append((b & 0x0F) << 4 | c >> 2)
                if index + 3 < values.count { output.append((c & 0x03) << 6 | values[index + 3]) }
            }
            index += 4
        }
        return output
    }
}

/// Every fixed marker the structural checks look for, found in one pass over the text: a bitmap of
/// the markers' first two bytes rejects almost every position at once, where searching marker by
/// marker ran `memchr` some forty times over the text and stopped at every common letter.
enum MarkerIndex {
    static let templateMarkers = ["<|im_start|>", "<|system|>", "[inst]", "<<sys>>", "### system", "###system", "<|endoftext|>", "</system>", "<system>"]
    static let addressingMarkers = [
        "note to the ai", "note to ai", "if you are an ai", "if you're an ai", "ai: ", "ai assistant:", "system override", "hinweis an die ki",
        "an die ki:", "ki: ", "note a l'ia", "note pour l'ia", "si tu es une ia", "ia : ", "nota para la ia", "si eres una ia", "ia: ",
        "attention ai", "to the assistant:", "assistant, ",
    ]
    static let otherMarkers = ["![", "](http", "]( http", "system:", "system prompt:", "assistant:", "http", "www."]
    static let markers: [[UInt8]] = (templateMarkers + addressingMarkers + otherMarkers).map { Array($0.utf8) }
    static let ids: [String: Int] = Dictionary(uniqueKeysWithValues: (templateMarkers + addressingMarkers + otherMarkers).enumerated().map { ($1, $0) })

    /// Bit per two-byte prefix; and the markers starting with each prefix.
    static let prefixBits: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 1024)
        for marker in markers { let key = Int(marker[0]) << 8 | Int(marker[1]); bits[key >> 6] |= 1 << UInt64(key & 63) }
        return bits
    }()
    static let byPrefix: [Int: [Int]] = {
        var table: [Int: [Int]] = [:]
        for (index, marker) in markers.enumerated() { table[Int(marker[0]) << 8 | Int(marker[1]), default: []].append(index) }
        return table
    }()

    struct Found {
        var bits: UInt64
        func contains(_ marker: String) -> Bool {
            guard let id = MarkerIndex.ids[marker] else { return false }
            return bits & (1 << UInt64(id)) != 0
        }
    }

    static func scan(_ bytes: [UInt8]) -> Found {
        var found: UInt64 = 0
        bytes.withUnsafeBufferPointer { text in
            prefixBits.withUnsafeBufferPointer { bits in
                guard text.count >= 2 else { return }
                for index in 0..<(text.count - 1) {
                    let key = Int(text[index]) << 8 | Int(text[index + 1])
                    guard bits[key >> 6] & (1 << UInt64(key & 63)) != 0 else { continue }
                    for id in byPrefix[key] ?? [] where found & (1 << UInt64(id)) == 0 {
                        let marker = markers[id]
                        guard index + marker.count <= text.count else { continue }
                        var k = 2
                        while k < marker.count && text[index + k] == marker[k] { k += 1 }
                        if k == marker.count { found |= 1 << UInt64(id) }
                    }
                }
            }
        }
        return Found(bits: found)
    }
}
