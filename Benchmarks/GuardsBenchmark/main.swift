// Times the guards on a 4 KB support message: p50 and p99 per guard and all together.
// Usage: Benchmarks/guards.sh   (builds in release and runs this with the injection training data)
import Foundation
import Guards
import LocalEngine

let message: String = {
    let paragraph = """
        Hello Nordlicht support team,

        I am writing again about order #NL-48213, which was supposed to arrive last Tuesday. The tracking page \
        (1Z999AA10123456784) has not moved since the parcel left the depot in Hamburg, and nobody answered my chat \
        yesterday. I paid €249.90 with my card 4111 1111 1111 1111 and I would like either the parcel or a refund \
        to my account DE89 3704 0044 0532 0130 00. You can reach me at ingrid.halvorsen@example.no or on \
        +47 912 34 567 between 9:00 and 17:00. My delivery address is Berliner Str. 5a, 10115 Berlin. The app \
        version 3.2.1 shows an error 500 when I open the order, and the request id was 9f2c1a7e.

        """
    var text = ""
    while text.utf8.count < 4096 - 200 { text += paragraph }
    text += "Best regards,\nIngrid Halvorsen"
    return String(text.prefix(4096))
}()

let defaultIterations = Int(ProcessInfo.processInfo.environment["GUARDS_ITERATIONS"] ?? "") ?? 3000

func measure(_ name: String, iterations: Int = defaultIterations, _ body: () -> Void) -> (p50: Double, p99: Double) {
    for _ in 0..<min(200, iterations) { body() }  // warm-up
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        let start = clock.now
        body()
        let elapsed = clock.now - start
        samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
    }
    samples.sort()
    let p50 = samples[samples.count / 2]
    let p99 = samples[Int(Double(samples.count) * 0.99)]
    print(name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%9.1f %9.1f", p50, p99))
    return (p50, p99)
}

var classifier: TextClassifier?
// Every argument is a training file; together they train the classifier, as the gateway's list does.
if CommandLine.arguments.count > 1 {
    var texts: [String] = []
    var labels: [Bool] = []
    let data = CommandLine.arguments.dropFirst().compactMap { FileManager.default.contents(atPath: $0) }.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    for line in data.split(separator: "\n") {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let text = object["text"] as? String,
            let label = object["label"] as? Int
        else { continue }
        texts.append(text)
        labels.append(label == 1)
    }
    classifier = try? InjectionDetector.trainClassifier(texts: texts, labels: labels)
}

let pii = PIIDetector()
let rulesOnly = InjectionDetector()
let combined = InjectionDetector(classifier: classifier)
var sink = 0
print("Guards on a \(message.utf8.count)-byte message (\(message.unicodeScalars.count) scalars), microseconds")
print("guard".padding(toLength: 34, withPad: " ", startingAt: 0) + "      p50       p99")
_ = measure("PII detection") { sink &+= pii.detect(message).count }
_ = measure("injection, rules") { sink &+= rulesOnly.assess(message).signals.count }
if classifier != nil {
    _ = measure("injection, rules + classifier") { sink &+= combined.assess(message).signals.count }
}
_ = measure("redaction (detect + replace)") { sink &+= PIIRedaction.redact(message, pii.detect(message)).utf8.count }
let all = measure("all guards together") {
    let findings = pii.detect(message)
    sink &+= combined.assess(message).signals.count + findings.count
}
var redactor = StreamingRedactor(detector: pii, holdback: 96)
_ = measure("streaming redactor, 4 KB in 16 B chunks", iterations: max(1, defaultIterations / 10)) {
    var stream = StreamingRedactor(detector: pii, holdback: 96)
    var index = message.startIndex
    while index < message.endIndex {
        let end = message.index(index, offsetBy: 16, limitedBy: message.endIndex) ?? message.endIndex
        sink &+= stream.push(String(message[index..<end])).utf8.count
        index = end
    }
    sink &+= stream.finish().utf8.count
}
print(String(format: "target: all guards p50 under 200 µs: %@ (%.1f µs)", all.p50 < 200 ? "met" : "NOT met", all.p50))
if sink == 42 { print("") }
