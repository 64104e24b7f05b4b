import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Testing

/// `gatehouse eval` on the demo: the stable variant passes its gates, the baseline trained on 120
/// tickets does not; JUnit and JSON reports; a variant compared with itself differs by noise only.
@Suite struct EvalCommandTests {
    @Test func stableVariantPassesAndBaselineFailsTheGates() throws {
        let scratch = try CLI.scratchDemo()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let junit = scratch.appendingPathComponent("eval.xml").path
        let json = scratch.appendingPathComponent("eval.json").path
        let pass = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--junit", junit, "--json", json])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.contains("Verdict: GO"))
        #expect(pass.stdout.contains("accuracy >= 0.85") && pass.stdout.contains("PASS"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(report?["verdict"] as? String == "go")
        #expect(((report?["metrics"] as? [String: Any])?["accuracy"] as? Double ?? 0) >= 0.85)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<testsuites") && xml.contains("tests=\"4\" failures=\"0\""))
        #expect(try XMLDocument(xmlString: xml).rootElement()?.name == "testsuites")

        let failJUnit = scratch.appendingPathComponent("baseline.xml").path
        let fail = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--variant", "local-baseline", "--junit", failJUnit])
        #expect(fail.status == 1, "\(fail.stdout)\(fail.stderr)")
        #expect(fail.stdout.contains("Verdict: NO-GO") && fail.stdout.contains("FAIL"))
        let failXML = try XMLDocument(xmlString: String(contentsOfFile: failJUnit, encoding: .utf8))
        let failures = try failXML.nodes(forXPath: "//testcase/failure")
        #expect(!failures.isEmpty)
        #expect(try failXML.nodes(forXPath: "//testcase").count == 4)
    }

    @Test func aVariantComparedWithItselfDiffersByNoiseOnly() throws {
        let scratch = try CLI.scratchDemo()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--compare", "local-classifier", "local-classifier"])
        #expect(result.status == 0, "\(result.stderr)")
        for metric in ["accuracy", "macro_f1", "schema_valid", "cost_per_item_usd", "escalation_rate"] {
            let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix(metric + " ") }, "\(result.stdout)")
            #expect(line.contains("[+0.0000, +0.0000]") || line.contains("within noise"), "\(line)")
        }
        let different = try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--compare", "local-baseline", "local-classifier"])
        let accuracy = try #require(different.stdout.split(separator: "\n").first { $0.hasPrefix("accuracy ") })
        #expect(accuracy.contains("(real difference)"), "\(accuracy)")
    }

    @Test func usageErrorsExitWith2() throws {
        let scratch = try CLI.scratchDemo()
        defer { try? FileManager.default.removeItem(at: scratch) }
        #expect(try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--variant", "nope"]).status == 2)
        #expect(try CLI.run(["eval", "no-such-case", "--config", scratch.path]).status == 2)
        #expect(try CLI.run(["eval", "ticket-triage", "--config", scratch.path, "--dataset", "/nonexistent.jsonl"]).status == 2)
    }
}
