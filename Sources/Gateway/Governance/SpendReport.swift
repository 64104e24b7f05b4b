import Core
import Foundation
import Governance
import Store

/// Spend over the current day or month, grouped by use case, team, key or provider: what
/// `gatehouse spend` prints and `GET /v1/spend` returns, both straight from the ledger.
public struct SpendReport: Sendable {
    public struct Row: Sendable {
        public var group: String
        public var requests: Int
        public var costUSD: Double
        public var inputTokens: Int
        public var outputTokens: Int
    }

    public var dimension: SpendDimension
    public var window: BudgetWindow
    public var period: String
    public var rows: [Row]
    public var totalUSD: Double { rows.reduce(0) { $0 + $1.costUSD } }

    public static func build(store: SQLiteStore, by dimension: SpendDimension, window: BudgetWindow, timeZone: TimeZone, now: Date = Date()) async throws -> SpendReport {
        let since = window.start(of: now, timeZone: timeZone)
        let rows = try await store.spendReport(by: dimension, since: since).map {
            Row(group: $0.group, requests: $0.requests, costUSD: $0.costUSD, inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)
        }
        return SpendReport(dimension: dimension, window: window, period: window.label(of: now, timeZone: timeZone), rows: rows)
    }

    public var json: JSONValue {
        [
            "by": .string(dimension.rawValue), "window": .string(window.rawValue), "period": .string(period),
            "total_usd": .number(totalUSD),
            "data": .array(rows.map { row in
                [
                    "group": .string(row.group), "requests": .number(Double(row.requests)), "cost_usd": .number(row.costUSD),
                    "input_tokens": .number(Double(row.inputTokens)), "output_tokens": .number(Double(row.outputTokens)),
                ]
            }),
        ]
    }
}
