import Foundation
import Synchronization

/// Money in billionths of a US dollar: integer arithmetic, so a budget that fits exactly N requests
/// admits exactly N, whatever the order.
public typealias Nanodollars = Int64

extension Nanodollars {
    public init(usd: Double) { self = Int64((usd * 1e9).rounded()) }
    public var usd: Double { Double(self) / 1e9 }
}

/// A budget's period.
public enum BudgetWindow: String, Sendable, Hashable, CaseIterable {
    case day, month

    /// Start of the window containing `date` in `timeZone`.
    public func start(of date: Date, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components: Set<Calendar.Component> = self == .day ? [.year, .month, .day] : [.year, .month]
        return calendar.date(from: calendar.dateComponents(components, from: date)) ?? date
    }

    /// A label for the window containing `date`: `2026-11-25` or `2026-11`.
    ///
    /// Every reservation asks for one; the window it falls in is remembered per window kind and time
    /// zone, so the calendar arithmetic runs once per day or month rather than once per request.
    public func label(of date: Date, timeZone: TimeZone) -> String {
        let key = WindowLabelCache.Key(window: self, timeZone: timeZone)
        if let cached = WindowLabelCache.entries.withLock({ $0[key] }), cached.start <= date, date < cached.end {
            return cached.label
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        let label = self == .day
            ? String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0) : String(format: "%04d-%02d", c.year ?? 0, c.month ?? 0)
        let start = start(of: date, timeZone: timeZone)
        if let end = calendar.date(byAdding: self == .day ? .day : .month, value: 1, to: start), start <= date, date < end {
            WindowLabelCache.entries.withLock { $0[key] = WindowLabelCache.Entry(start: start, end: end, label: label) }
        }
        return label
    }
}

/// The current window of each (window kind, time zone) seen, with its label.
enum WindowLabelCache {
    struct Key: Hashable {
        var window: BudgetWindow
        var timeZone: TimeZone
    }
    struct Entry {
        var start: Date
        var end: Date
        var label: String
    }
    static let entries = Mutex<[Key: Entry]>([:])
}

/// Hard caps on spend per scope (use case, team, key) and window. Before a model call the request's
/// largest possible cost is reserved against every cap that applies, all or nothing, under one lock;
/// after the call the reservation is settled to the actual cost. Reserved plus spent never passes a
/// cap, so no interleaving of concurrent requests can overspend.
public final class BudgetAccountant: Sendable {
    public struct Cap: Sendable, Hashable {
        /// `usecase:<id>`, `team:<name>`, `key:<id>`.
        public var scope: String
        public var window: BudgetWindow
        public var limit: Nanodollars
        /// Fractions of the limit at which an alert is due (0.5, 0.8, 1.0).
        public var alertThresholds: [Double]
        /// The time zone the window's day or month is counted in.
        public var timeZone: TimeZone

        public init(scope: String, window: BudgetWindow, limit: Nanodollars, alertThresholds: [Double] = [], timeZone: TimeZone = .utc) {
            self.scope = scope
            self.window = window
            self.limit = limit
            self.alertThresholds = alertThresholds
            self.timeZone = timeZone
        }

        func label(_ date: Date) -> String { window.label(of: date, timeZone: timeZone) }
    }

    struct Account {
        var label: String
        var spent: Nanodollars = 0
        var reserved: Nanodollars = 0
        var alerted: Set<Double> = []
    }

    /// A reservation to settle exactly once.
    public struct Reservation: Sendable, Hashable {
        public var caps: [Cap]
        public var amount: Nanodollars
        var labels: [String]
    }

    /// A threshold crossed by a settlement, to alert once.
    public struct Crossing: Sendable, Hashable {
        public var cap: Cap
        public var windowLabel: String
        public var threshold: Double
        public var spent: Nanodollars
    }

    public enum Refusal: Error, Sendable, Hashable {
        case exceeded(Cap, spent: Nanodollars, reserved: Nanodollars)
    }

    private let accounts = Mutex<[String: Account]>([:])
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = Date.init) {
        self.now = now
    }

    func key(_ cap: Cap, label: String) -> String { "\(cap.scope)|\(cap.window.rawValue)|\(label)" }

    /// Reserves `amount` against every cap, or none of them.
    public func reserve(_ amount: Nanodollars, caps: [Cap]) throws(Refusal) -> Reservation {
        let date = now()
        let labels = caps.map { $0.label(date) }
        let refusal: Refusal? = accounts.withLock { table in
            for (cap, label) in zip(caps, labels) {
                let account = table[key(cap, label: label)] ?? Account(label: label)
                if account.spent + account.reserved + amount > cap.limit {
                    return .exceeded(cap, spent: account.spent, reserved: account.reserved)
                }
            }
            for (cap, label) in zip(caps, labels) {
                table[key(cap, label: label), default: Account(label: label)].reserved += amount
            }
            return nil
        }
        if let refusal { throw refusal }
        return Reservation(caps: caps, amount: amount, labels: labels)
    }

    /// Replaces the reservation by the actual cost; returns the alert thresholds this crossed.
    @discardableResult
    public func settle(_ reservation: Reservation, actual: Nanodollars) -> [Crossing] {
        accounts.withLock { table in
            var crossings: [Crossing] = []
            for (cap, label) in zip(reservation.caps, reservation.labels) {
                let k = key(cap, label: label)
                var account = table[k] ?? Account(label: label)
                account.reserved = max(0, account.reserved - reservation.amount)
                account.spent += actual
                for threshold in cap.alertThresholds.sorted() where !account.alerted.contains(threshold)
                    && Double(account.spent) >= threshold * Double(cap.limit)
                {
                    account.alerted.insert(threshold)
                    crossings.append(Crossing(cap: cap, windowLabel: label, threshold: threshold, spent: account.spent))
                }
                table[k] = account
            }
            return crossings
        }
    }

    /// Spend already recorded (at start-up, from the ledger), so a restart does not reset budgets.
    public func seed(_ cap: Cap, spent: Nanodollars) {
        let label = cap.label(now())
        accounts.withLock { table in
            var account = table[key(cap, label: label)] ?? Account(label: label)
            account.spent = spent
            for threshold in cap.alertThresholds where Double(spent) >= threshold * Double(cap.limit) { account.alerted.insert(threshold) }
            table[key(cap, label: label)] = account
        }
    }

    /// Spent and reserved in the current window.
    public func usage(_ cap: Cap) -> (spent: Nanodollars, reserved: Nanodollars) {
        let label = cap.label(now())
        return accounts.withLock { table in
            let account = table[key(cap, label: label)]
            return (account?.spent ?? 0, account?.reserved ?? 0)
        }
    }
}

extension TimeZone {
    public static let utc = TimeZone(identifier: "UTC")!
}
