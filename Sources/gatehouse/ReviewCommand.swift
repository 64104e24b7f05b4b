import ArgumentParser
import AsyncHTTPClient
import Core
import Foundation
import Gateway
import Store

struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review", abstract: "Work the review queue from the command line (the same queue as /v1/reviews).",
        subcommands: [List.self, Decide.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pending review items, oldest first.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this use case.") var useCase: String?
        @Option(help: "Only items whose reason contains this text.") var reason: String?
        @Option(help: "Only items older than this: 30m, 4h, 2d.") var olderThan: String?

        func run() async throws {
            let (_, sqlite) = try store.load()
            let age = olderThan.flatMap { DurationText.parse($0) }.flatMap { $0 }
            let items = try await sqlite.pendingReviews(useCases: useCase.map { [$0] }, reason: reason, olderThan: age.map { Date().addingTimeInterval(-$0) })
            print("\(items.count) pending item(s)")
            for item in items {
                let minutes = Int(Date().timeIntervalSince(item.createdAt) / 60)
                print("\(item.invocationID)  \(item.useCase)  \(minutes) min  \(item.reason)")
                if let output = item.output { print("    output: \(output)") }
            }
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decide", abstract: "approve, correct (--output JSON, checked against the output schema) or reject an item; audited.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "approve | correct | reject") var action: String
        @Argument(help: "Invocation id.") var id: String
        @Option(help: "The corrected output, as JSON (correct only).") var output: String?
        @Option(help: "A comment kept with the decision.") var comment: String?

        func run() async throws {
            let (configuration, sqlite) = try store.load()
            let statuses: [String: ReviewItem.Status] = ["approve": .approved, "correct": .corrected, "reject": .rejected]
            guard let status = statuses[action] else {
                printError("gatehouse: the action is approve, correct or reject")
                throw ExitCode(2)
            }
            guard var item = try await sqlite.reviewItem(id), item.status == .pending else {
                printError("gatehouse: no pending review item '\(id)'")
                throw ExitCode(1)
            }
            switch status {
            case .approved: item.finalOutput = item.output
            case .corrected:
                guard let text = output, let value = try? JSONValue.parse(text), let useCase = configuration.useCase(id: item.useCase) else {
                    printError("gatehouse: correct needs --output with the corrected output as JSON")
                    throw ExitCode(2)
                }
                if let violation = useCase.task.outputSchema.validate(value).first {
                    printError("gatehouse: the corrected output does not satisfy the output schema: \(violation)")
                    throw ExitCode(2)
                }
                item.finalOutput = value.compactJSONString()
            default: item.finalOutput = nil
            }
            let actor = AuditActor.commandLine()
            item.status = status
            item.comment = comment
            item.decidedBy = actor.id
            item.decidedAt = Date()
            try await sqlite.decide(
                item, audit: AuditEventDraft(actor: actor.id, action: "review.\(action)", useCase: item.useCase, target: item.invocationID, details: ["reason": .string(item.reason)]))
            print("\(item.invocationID): \(status.rawValue)")
            if let url = item.callbackURL {
                let delivered = await ReviewCallback.deliver(url, item, client: .shared)
                print(delivered ? "callback delivered" : "callback NOT delivered (the caller can still read GET /v1/invocations/\(item.invocationID))")
            }
        }
    }
}
