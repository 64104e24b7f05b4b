import ArgumentParser
import Core
import Foundation
import Gateway
import Governance
import Store

struct SpendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spend", abstract: "Spend by use case, team, key or provider over the current day or month, from the ledger.")

    @OptionGroup var store: StoreOptions
    @Option(help: "use-case | team | key | provider") var by: String = "use-case"
    @Option(help: "day | month (the current one)") var window: String = "day"
    @Option(help: "IANA time zone the day or month is counted in.") var timeZone: String = "UTC"
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (_, sqlite) = try store.load()
        let dimensions: [String: SpendDimension] = ["use-case": .useCase, "team": .team, "key": .key, "provider": .provider]
        guard let dimension = dimensions[by] else {
            printError("gatehouse: --by must be use-case, team, key or provider")
            throw ExitCode(2)
        }
        guard let period = BudgetWindow(rawValue: window) else {
            printError("gatehouse: --window must be day or month")
            throw ExitCode(2)
        }
        guard let zone = TimeZone(identifier: timeZone) else {
            printError("gatehouse: unknown time zone '\(timeZone)'")
            throw ExitCode(2)
        }
        let report = try await SpendReport.build(store: sqlite, by: dimension, window: period, timeZone: zone)
        if json {
            print(report.json.compactJSONString())
            return
        }
        print("Spend by \(by), \(period.rawValue) \(report.period) (\(timeZone))")
        print(pad(by.uppercased(), 28) + pad("REQUESTS", 10) + pad("INPUT TOK", 12) + pad("OUTPUT TOK", 12) + "COST USD")
        for row in report.rows {
            print(pad(row.group, 28) + pad(String(row.requests), 10) + pad(String(row.inputTokens), 12) + pad(String(row.outputTokens), 12)
                + String(format: "%.6f", row.costUSD))
        }
        print(pad("total", 28) + pad(String(report.rows.reduce(0) { $0 + $1.requests }), 10) + pad("", 24) + String(format: "%.6f", report.totalUSD))
    }

    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
}
