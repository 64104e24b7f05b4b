import Foundation

/// UTC timestamps as ISO 8601 with milliseconds and no zone suffix (`2026-12-04T16:45:11.123`), the
/// text the ledger and the audit log store: it sorts lexically in time order.
///
/// Written by hand because Foundation's `Date.ISO8601FormatStyle` cost several microseconds per call
/// and every invocation formats two or three of them. Milliseconds are truncated toward the past, as
/// Foundation's style does, so both give the same text (`UTCTimestampTests` checks it).
public enum UTCTimestamp {
    public static func milliseconds(_ date: Date) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let (seconds, millisecond) = floorDivision(totalMilliseconds, 1000)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var bytes = [UInt8](repeating: 0, count: 23)
        func put(_ value: Int64, at offset: Int, width: Int) {
            var value = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[index] = UInt8(truncatingIfNeeded: 48 + value % 10)
                value /= 10
            }
        }
        guard (0...9999).contains(year) else {
            return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        }
        put(year, at: 0, width: 4)
        bytes[4] = UInt8(ascii: "-")
        put(month, at: 5, width: 2)
        bytes[7] = UInt8(ascii: "-")
        put(day, at: 8, width: 2)
        bytes[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, at: 11, width: 2)
        bytes[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, at: 14, width: 2)
        bytes[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, at: 17, width: 2)
        bytes[19] = UInt8(ascii: ".")
        put(millisecond, at: 20, width: 3)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
        return (quotient, value - quotient * divisor)
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's days-to-civil algorithm).
    private static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
