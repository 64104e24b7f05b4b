import ArgumentParser
import Core
import Foundation
import Gateway
import Store

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Quality figures of a use case per day (ledger, reviews, feedback) beside the contract's KPIs.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "Use case id.") var useCase: String
    @Option(help: "How far back: 7d, 24h, 30d.") var window: String = "7d"
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (configuration, sqlite) = try store.load()
        guard let contract = configuration.useCase(id: useCase) else {
            printError("gatehouse: unknown use case '\(useCase)'")
            throw ExitCode(2)
        }
        guard let parsed = DurationText.parse(window), let seconds = parsed else {
            printError("gatehouse: --window must be a duration such as 7d or 24h")
            throw ExitCode(2)
        }
        let rows = try await sqlite.qualityByDay(useCase: useCase, since: Date().addingTimeInterval(-seconds))
        if json {
            print(JSONValue.array(rows.map { row in
                [
                    "day": .string(row.day), "invocations": .number(Double(row.invocations)), "verified_response_rate": .number(row.verifiedResponseRate),
                    "escalation_rate": .number(row.escalationRate), "human_correction_rate": .number(row.humanCorrectionRate),
                    "fallback_rate": .number(row.fallbackRate), "refusal_rate": .number(row.refusalRate), "thumbs_down_rate": .number(row.thumbsDownRate),
                ]
            }).compactJSONString())
            return
        }
        print("Quality of \(useCase) over \(window)")
        print(["DAY", "REQUESTS", "VERIFIED", "ESCALATED", "CORRECTED", "FALLBACK", "REFUSED", "THUMBS DOWN"].map { pad($0, 12) }.joined())
        for row in rows {
            print(pad(row.day, 12) + pad(String(row.invocations), 12)
                + [row.verifiedResponseRate, row.escalationRate, row.humanCorrectionRate, row.fallbackRate, row.refusalRate, row.thumbsDownRate]
                .map { pad(String(format: "%.1f%%", $0 * 100), 12) }.joined())
        }
        if !contract.kpis.isEmpty {
            print("KPIs (measured in the business systems; baseline -> target):")
            for kpi in contract.kpis {
                print("  " + pad(kpi.name, 36) + (kpi.baseline.map { String(format: "%g", $0) } ?? "-") + " -> " + String(format: "%g", kpi.target))
            }
        }
    }

    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
}
