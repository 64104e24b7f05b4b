import Foundation
import Governance
import Testing

struct BudgetWindowTests {
    private func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    /// Labels are remembered per window; crossing midnight or a month end, or going back in time,
    /// must still give the right window.
    @Test func labelsFollowTheWindowAcrossBoundariesInAnyOrder() {
        let utc = TimeZone(identifier: "UTC")!
        #expect(BudgetWindow.day.label(of: date("2026-11-25T23:59:59Z"), timeZone: utc) == "2026-11-25")
        #expect(BudgetWindow.day.label(of: date("2026-11-26T00:00:00Z"), timeZone: utc) == "2026-11-26")
        #expect(BudgetWindow.day.label(of: date("2026-11-25T12:00:00Z"), timeZone: utc) == "2026-11-25")
        #expect(BudgetWindow.month.label(of: date("2026-11-30T23:59:59Z"), timeZone: utc) == "2026-11")
        #expect(BudgetWindow.month.label(of: date("2026-12-01T00:00:00Z"), timeZone: utc) == "2026-12")
        #expect(BudgetWindow.month.label(of: date("2026-11-02T00:00:00Z"), timeZone: utc) == "2026-11")
    }

    @Test func labelsUseTheCapsTimeZoneIncludingDaylightSavingChanges() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        // 23:30 UTC on 2026-03-28 is already the 29th in Paris; the 29th has 23 hours there.
        #expect(BudgetWindow.day.label(of: date("2026-03-28T22:30:00Z"), timeZone: paris) == "2026-03-28")
        #expect(BudgetWindow.day.label(of: date("2026-03-28T23:30:00Z"), timeZone: paris) == "2026-03-29")
        #expect(BudgetWindow.day.label(of: date("2026-03-29T21:59:59Z"), timeZone: paris) == "2026-03-29")
        #expect(BudgetWindow.day.label(of: date("2026-03-29T22:00:00Z"), timeZone: paris) == "2026-03-30")
        let utc = TimeZone(identifier: "UTC")!
        #expect(BudgetWindow.day.label(of: date("2026-03-29T22:00:00Z"), timeZone: utc) == "2026-03-29")
    }
}
