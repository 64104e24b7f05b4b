#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core
import Guards

/// Checks the input before any model sees it: prompt injection (in the input and, if the contract
/// says so, in quoted or retrieved content of the context), forbidden topics (refused with the
/// contract's message), and personal data (422 when the data policy blocks it; otherwise noted per
/// string so the call stage can redact or pseudonymize it for each provider).
public struct GuardInputStage: InvocationStage {
    public var name: String { "guard_input" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let useCase = context.useCase, let input = context.input else { return }
        let guards = environment.guards
        let policy = useCase.guards
        let strings = JSONStrings.leaves(input)

        // Prompt injection.
        var scanned = strings.map(\.value)
        if policy.scanContext, let callerContext = context.callerContext {
            scanned += JSONStrings.leaves(callerContext).filter { $0.path != "$.data_subject" }.map(\.value)
        }
        let assessment = guards.injection.assess(scanned.joined(separator: "\n"))
        context.guardReport.injectionScore = assessment.score
        context.guardReport.injectionSignals = assessment.signals
        if assessment.score >= policy.injectionThreshold {
            switch policy.injectionAction {
            case .block:
                throw GatewayError(
                    status: 422, code: .init(rawValue: "prompt_injection_detected"),
                    message: "The request was blocked by the prompt-injection guard (score \(String(format: "%.2f", assessment.score)); signals: \(assessment.signals.joined(separator: ", ")))."
                )
            case .escalate:
                context.escalationReasons.append(.injectionFlag(assessment.score))
            case .flag:
                break
            }
        }

        // Forbidden topics: refused with the contract's message.
        if !useCase.usage.forbiddenTopics.isEmpty {
            let folded = TopicMatcher.fold(strings.map(\.value).joined(separator: " \n "))
            for topic in useCase.usage.forbiddenTopics where TopicMatcher.mentions(folded, any: useCase.usage.topicKeywords[topic] ?? [topic]) {
                context.guardReport.forbiddenTopic = topic
                context.refusalMessage = useCase.usage.refusalMessage ?? "This request is outside what this assistant may handle."
                context.decision = .refused
                context.finished = true
                return
            }
        }

        // Personal data.
        var types: [String: Int] = [:]
        for leaf in strings {
            let findings = guards.pii.detect(leaf.value)
            guard !findings.isEmpty else { continue }
            context.inputPII[leaf.path] = findings
            for finding in findings { types[finding.type.rawValue, default: 0] += 1 }
        }
        context.guardReport.inputPII = types
        if useCase.dataPolicy.piiAction == .block && !types.isEmpty {
            throw GatewayError(
                status: 422, code: .init(rawValue: "pii_detected"),
                message: "The input contains personal data this use case may not receive: \(types.keys.sorted().joined(separator: ", ")).")
        }
    }
}

/// After the output is validated: pseudonyms are put back, and personal data in the output that the
/// input did not contain (a leak from the model or its context) is redacted and counted.
public struct GuardOutputStage: InvocationStage {
    public var name: String { "guard_output" }
    public init() {}

    public func run(_ context: inout InvocationContext, _ environment: PipelineEnvironment) async throws(GatewayError) {
        guard let useCase = context.useCase, let output = context.output else { return }
        var restored = output
        if !context.pseudonyms.isEmpty {
            let table = context.pseudonyms
            restored = JSONStrings.map(restored) { table.restore($0) }
        }
        if useCase.guards.piiLeakCheck {
            let inputText = context.input.map { JSONStrings.leaves($0).map(\.value).joined(separator: "\n") } ?? ""
            var leaks: [String: Int] = [:]
            let detector = environment.guards.pii
            restored = JSONStrings.map(restored) { text in
                let leaked = detector.detect(text).filter { !inputText.contains(PIIRedaction.value(text, $0)) }
                for finding in leaked { leaks[finding.type.rawValue, default: 0] += 1 }
                return PIIRedaction.redact(text, leaked)
            }
            context.guardReport.outputLeaks = leaks
        }
        context.output = restored
    }
}

/// String values of a JSON document with their paths, and a way to rewrite them.
public enum JSONStrings {
    public struct Leaf: Sendable {
        public var path: String
        public var value: String
    }

    public static func leaves(_ value: JSONValue, path: String = "$") -> [Leaf] {
        switch value {
        case .string(let text): return [Leaf(path: path, value: text)]
        case .array(let items): return items.enumerated().flatMap { leaves($0.element, path: "\(path)[\($0.offset)]") }
        case .object(let members): return members.keys.sorted().flatMap { leaves(members[$0]!, path: "\(path).\($0)") }
        default: return []
        }
    }

    public static func map(_ value: JSONValue, path: String = "$", _ transform: (String) -> String) -> JSONValue {
        mapWithPath(value, path: path) { _, text in transform(text) }
    }

    public static func mapWithPath(_ value: JSONValue, path: String = "$", _ transform: (String, String) -> String) -> JSONValue {
        switch value {
        case .string(let text): return .string(transform(path, text))
        case .array(let items): return .array(items.enumerated().map { mapWithPath($0.element, path: "\(path)[\($0.offset)]", transform) })
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members { result[key] = mapWithPath(member, path: "\(path).\(key)", transform) }
            return .object(result)
        default: return value
        }
    }
}

/// Whole-word, case- and accent-insensitive phrase matching for forbidden topics.
public enum TopicMatcher {
    /// Lowercased, accents folded, every run of characters that are not letters, digits or marks one
    /// space, with a space at each end: a keyword matches as whole words by plain byte search.
    public static func fold(_ text: String) -> String {
        if let ascii = foldASCII(text) { return ascii }
        return foldUnicode(text)
    }

    /// The same fold on bytes for ASCII text, most of what arrives (nil when any byte is not ASCII).
    static func foldASCII(_ text: String) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 2)
        output.append(32)
        var lastWasSpace = true
        for byte in text.utf8 {
            guard byte < 128 else { return nil }
            let isDigit = byte >= 48 && byte <= 57
            let isLower = byte >= 97 && byte <= 122
            let isUpper = byte >= 65 && byte <= 90
            if isDigit || isLower || isUpper {
                output.append(isUpper ? byte + 32 : byte)
                lastWasSpace = false
            } else if !lastWasSpace {
                output.append(32)
                lastWasSpace = true
            }
        }
        if !lastWasSpace { output.append(32) }
        return String(decoding: output, as: UTF8.self)
    }

    static func foldUnicode(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        output.append(" ")
        var lastWasSpace = true
        for scalar in TextFolding.fold(text).unicodeScalars {
            let v = scalar.value
            let keep: Bool
            if v < 128 {
                keep = (v >= 97 && v <= 122) || (v >= 48 && v <= 57) || (v >= 65 && v <= 90)
            } else {
                let properties = scalar.properties
                keep = properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .nonspacingMark
                    || properties.generalCategory == .spacingMark
            }
            if keep {
                output.append(scalar)
                lastWasSpace = false
            } else if !lastWasSpace {
                output.append(" ")
                lastWasSpace = true
            }
        }
        if !lastWasSpace { output.append(" ") }
        return String(output)
    }

    /// Whether the folded text (from `fold`) contains one of the keywords as whole words.
    public static func mentions(_ folded: String, any keywords: [String]) -> Bool {
        var haystack = folded
        return haystack.withUTF8 { text in
            keywords.contains { keyword in
                let needle = Array(fold(keyword).utf8)
                guard needle.count > 2, needle.count <= text.count else { return false }
                return needle.withUnsafeBufferPointer { pattern in
                    var start = 0
                    while start + pattern.count <= text.count {
                        guard let hit = memchr(text.baseAddress! + start, Int32(pattern[1]), text.count - start) else { return false }
                        let position = text.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self)) - 1
                        if position >= 0, position + pattern.count <= text.count,
                            memcmp(text.baseAddress! + position, pattern.baseAddress!, pattern.count) == 0
                        {
                            return true
                        }
                        start = position + 2
                    }
                    return false
                }
            }
        }
    }
}

extension CallModelStage {
    /// The effective PII action for a provider: the stricter of the use case's and the provider's.
    /// The in-process local engine receives the input as is unless its provider sets an action.
    static func piiAction(useCase: UseCase, provider: ProviderConfiguration?) -> DataPolicy.PIIAction {
        let order: [DataPolicy.PIIAction] = [.allow, .pseudonymize, .redact, .block]
        let own = provider?.piiAction
        if provider?.kind == .local { return own ?? .allow }
        let base = useCase.dataPolicy.piiAction
        guard let own else { return base }
        return order.firstIndex(of: own)! > order.firstIndex(of: base)! ? own : base
    }
}
