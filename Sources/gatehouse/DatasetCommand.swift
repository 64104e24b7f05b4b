import ArgumentParser
import Core
import Foundation
import Store

struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Labelled data from what people corrected.", subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write JSON Lines of {\"id\", \"input\", \"expected\"} from review decisions and feedback corrections.",
            discussion: "Review items carry the input as the reviewer saw it (personal data replaced by its type). Feedback corrections need the input from the ledger, so only use cases logging payloads in full or redacted contribute them.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Use case id.") var useCase: String
        @Option(help: "Sources, comma-separated: corrections (review decisions), feedback.") var from: String = "corrections,feedback"
        @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?

        func run() async throws {
            let (configuration, sqlite) = try store.load()
            guard configuration.useCase(id: useCase) != nil else {
                printError("gatehouse: unknown use case '\(useCase)'")
                throw ExitCode(2)
            }
            let sources = Set(from.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            guard !sources.isEmpty, sources.isSubset(of: ["corrections", "feedback"]) else {
                printError("gatehouse: --from takes corrections, feedback or both")
                throw ExitCode(2)
            }
            var lines: [String] = []
            var skipped = 0
            if sources.contains("corrections") {
                for item in try await sqlite.decidedReviews(useCase: useCase) {
                    guard let input = item.input.flatMap({ try? JSONValue.parse($0) }), let expected = item.finalOutput.flatMap({ try? JSONValue.parse($0) }) else {
                        skipped += 1
                        continue
                    }
                    lines.append(JSONValue.object(["id": .string("review-" + item.invocationID), "input": input, "expected": expected, "source": "review"]).compactJSONString())
                }
            }
            if sources.contains("feedback") {
                for feedback in try await sqlite.feedback(useCase: useCase) {
                    guard let correction = feedback.correction.flatMap({ try? JSONValue.parse($0) }) else { continue }
                    guard let entry = try await sqlite.entry(id: feedback.invocationID), ["full", "redacted"].contains(entry.payloadMode),
                        let input = entry.inputPayload.flatMap({ try? JSONValue.parse($0) })
                    else {
                        skipped += 1
                        continue
                    }
                    lines.append(JSONValue.object(["id": .string("feedback-" + feedback.invocationID), "input": input, "expected": correction, "source": "feedback"]).compactJSONString())
                }
            }
            let text = lines.map { $0 + "\n" }.joined()
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            printError("exported \(lines.count) item(s)\(skipped > 0 ? ", skipped \(skipped) without a usable input" : "")")
        }
    }
}
