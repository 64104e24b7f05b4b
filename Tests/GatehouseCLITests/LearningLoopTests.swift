import Foundation
import Testing

/// The learning loop on a planted shift: a new membership programme brings account tickets with a
/// vocabulary the demo data never had. Retraining with corrections from the shifted world must
/// raise accuracy on held-out shifted tickets by at least ten points, as `gatehouse eval` shows.
@Suite struct LearningLoopTests {
    static let perks = ["Lumen Plus perks", "Plus tier", "loyalty stars", "Lumen circle status", "Plus badge", "member vault"]
    static let problems = [
        "do not show on my profile", "vanished after the renewal", "is stuck on bronze", "shows someone else's nickname",
        "was downgraded without notice", "cannot be linked to my login", "keeps asking me to re-verify", "lists the wrong join date",
    ]

    static func item(_ id: String, _ subject: String, _ body: String) -> String {
        #"{"id": "\#(id)", "input": {"subject": "\#(subject)", "body": "\#(body)"}, "expected": {"category": "account", "priority": "normal", "team": "support-l1"}}"#
    }

    static func shifted(seedOffset: Int, count: Int, prefix: String) -> String {
        (0..<count).map { index in
            let perk = perks[(index + seedOffset) % perks.count]
            let problem = problems[(index * 3 + seedOffset) % problems.count]
            return item("\(prefix)\(index)", "\(perk) \(problem)", "Hi, my \(perk) \(problem). Could you have a look at the Lumen membership side of things?")
        }.joined(separator: "\n") + "\n"
    }

    func accuracy(_ output: String) -> Double? {
        output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("accuracy ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func correctionsFromAShiftedWorldRaiseAccuracyByTenPoints() throws {
        let scratch = try CLI.scratchDemo()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let datasets = scratch.appendingPathComponent("usecases/ticket-triage/datasets")
        try Self.shifted(seedOffset: 0, count: 24, prefix: "shift-train-").write(to: datasets.appendingPathComponent("corrections.jsonl"), atomically: true, encoding: .utf8)
        try Self.shifted(seedOffset: 1, count: 30, prefix: "shift-test-").write(to: datasets.appendingPathComponent("shift-test.jsonl"), atomically: true, encoding: .utf8)
        let contract = scratch.appendingPathComponent("usecases/ticket-triage/usecase.yaml")
        let yaml = try String(contentsOf: contract, encoding: .utf8).replacingOccurrences(of: "  - name: gpt-4o-mini", with: """
              - name: local-corrected
                provider: local
                local:
                  model: classifier
                  training_data: datasets/train.jsonl
                  corrections: [datasets/corrections.jsonl]
                  text_fields: [subject, body]
              - name: gpt-4o-mini
            """)
        try yaml.write(to: contract, atomically: true, encoding: .utf8)
        let testSet = datasets.appendingPathComponent("shift-test.jsonl").path
        let before = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--variant", "local-classifier", "--dataset", testSet])
        let after = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--variant", "local-corrected", "--dataset", testSet])
        let a0 = try #require(accuracy(before.stdout), "\(before.stdout)\(before.stderr)")
        let a1 = try #require(accuracy(after.stdout), "\(after.stdout)\(after.stderr)")
        #expect(a1 - a0 >= 0.10, "accuracy on the shifted set: \(a0) before, \(a1) after the corrections")
        print("learning loop: shifted-set accuracy \(a0) -> \(a1)")
        // The corrected variant is a new version of the model (its version hash covers the corrections).
        let check = try CLI.run(["check", scratch.path])
        #expect(check.stdout.contains("local-corrected@"))
        // And it does not collapse on the original test split (it loses about three points there; see the note).
        let original = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--variant", "local-corrected"])
        #expect((accuracy(original.stdout) ?? 0) >= 0.80, "\(original.stdout)")
    }
}
