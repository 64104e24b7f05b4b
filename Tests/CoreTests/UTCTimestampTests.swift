import Core
import Foundation
import Testing

struct UTCTimestampTests {
    private func foundation(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }

    @Test func matchesFoundationOnFixedDates() {
        let instants: [Double] = [
            0, -0.25, -1.0005, 951_782_400.5, 951_868_799.999_6, 1_764_866_711.123_9, 4_102_444_799.999_6,
            -2_208_988_800, 253_402_300_799.5, 1_709_164_800.000_4,  // 1900, 9999-12-31, 2024-02-29
        ]
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            #expect(UTCTimestamp.milliseconds(date) == foundation(date), "at \(instant)")
        }
    }

    @Test func matchesFoundationOnSpreadOfDates() {
        // Whole milliseconds plus 0.4 ms, so neither side sits on a rounding boundary.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let milliseconds = Int64.random(in: -5_000_000_000_000...9_000_000_000_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000 + 0.000_4)
            #expect(UTCTimestamp.milliseconds(date) == foundation(date), "at \(milliseconds) ms")
        }
    }
}
