import Core
import Guards
import Pipeline

/// The PII guard of a passthrough call: the provider's `pii_action` applied to the messages sent
/// (block, redact or pseudonymize), and the answer checked on the way back (pseudonyms restored,
/// personal data the caller did not send redacted), for whole answers and for streams.
struct PassthroughGuard: Sendable {
    let action: DataPolicy.PIIAction
    let detector: PIIDetector
    let holdback: Int
    private(set) var messages: [ChatMessage]
    private(set) var inputTypes: [String: Int] = [:]
    private(set) var outputLeaks: [String: Int] = [:]
    /// Values the caller sent itself: echoing them back is not a leak.
    private(set) var inputValues: Set<String> = []
    private(set) var pseudonyms = Pseudonymizer()

    init(messages: [ChatMessage], action: DataPolicy.PIIAction, detector: PIIDetector, holdback: Int) throws(GatewayError) {
        self.action = action
        self.detector = detector
        self.holdback = holdback
        self.messages = messages
        guard action != .allow else { return }
        var table = Pseudonymizer()
        var types: [String: Int] = [:]
        var values: Set<String> = []
        let transform = { (text: String) -> String in
            let findings = detector.detect(text)
            for finding in findings {
                types[finding.type.rawValue, default: 0] += 1
                values.insert(PIIRedaction.value(text, finding))
            }
            switch action {
            case .redact: return PIIRedaction.redact(text, findings)
            case .pseudonymize: return table.pseudonymize(text, findings)
            case .allow, .block: return text
            }
        }
        self.messages = messages.map { message in
            var copy = message
            copy.content = JSONStrings.map(message.content) { transform($0) }
            return copy
        }
        inputTypes = types
        inputValues = values
        pseudonyms = table
        if action == .block && !types.isEmpty {
            throw GatewayError(
                status: 422, code: .init(rawValue: "pii_detected"),
                message: "The messages contain personal data this provider may not receive: \(types.keys.sorted().joined(separator: ", ")).")
        }
    }

    /// A whole answer: pseudonyms restored, leaked personal data redacted.
    mutating func checkOutput(_ text: String) -> String {
        guard action != .allow else { return text }
        let restored = pseudonyms.restore(text)
        let leaked = detector.detect(restored).filter { !inputValues.contains(PIIRedaction.value(restored, $0)) }
        for finding in leaked { outputLeaks[finding.type.rawValue, default: 0] += 1 }
        return PIIRedaction.redact(restored, leaked)
    }

    /// The redactor for a streamed answer; `nil` when the provider allows personal data.
    func streamingRedactor() -> StreamingRedactor? {
        guard action != .allow else { return nil }
        return StreamingRedactor(detector: detector, holdback: holdback, mode: .leakCheck(allowed: inputValues, pseudonyms: pseudonyms))
    }
}
