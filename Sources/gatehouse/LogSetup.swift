import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// The only place logging is bootstrapped: JSON lines on stderr, one object per event.
enum LogSetup {
    static func bootstrap(level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = parsed
            return handler
        }
        var logger = Logger(label: "gatehouse")
        logger.logLevel = parsed
        return logger
    }
}

/// Writes each log event as one JSON object per line. Messages are constant sentences; the variable
/// parts are metadata, which callers keep free of payloads and secrets.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, Logger.MetadataValue)] = [
            ("ts", .string(Self.timestamp())), ("level", .string(event.level.rawValue)), ("msg", .string(event.message.description)),
            ("logger", .string(label)),
        ]
        // The request line carries all its metadata in the event; merge only when both have some.
        let merged: Logger.Metadata =
            metadata.isEmpty ? (event.metadata ?? [:]) : metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where key != "ts" && key != "level" && key != "msg" && key != "logger" {
            fields.append((key, value))
        }
        var line = ""
        line.reserveCapacity(512)
        Self.writeObject(fields, into: &line)
        line.append("\n")
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// UTC ISO 8601 with milliseconds (`2026-11-25T10:41:07.123Z`), without Foundation's formatter,
    /// which cost more than the rest of a log line.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = Int(now.tv_nsec / 1_000_000)
        let millisecondText = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millisecondText)Z"
    }

    /// Metadata as JSON: strings stay strings, nested dictionaries and arrays become objects and arrays.
    static func writeObject(_ fields: [(String, Logger.MetadataValue)], into line: inout String) {
        line.append("{")
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { line.append(",") }
            writeString(key, into: &line)
            line.append(":")
            writeValue(value, into: &line)
        }
        line.append("}")
    }

    static func writeValue(_ value: Logger.MetadataValue, into line: inout String) {
        switch value {
        case .string(let text): writeString(text, into: &line)
        case .stringConvertible(let convertible): writeString(convertible.description, into: &line)
        case .dictionary(let dictionary): writeObject(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: &line)
        case .array(let values):
            line.append("[")
            for (index, element) in values.enumerated() {
                if index > 0 { line.append(",") }
                writeValue(element, into: &line)
            }
            line.append("]")
        }
    }

    static func writeString(_ text: String, into line: inout String) {
        line.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line.append("\\\"")
            case "\\": line.append("\\\\")
            case "\n": line.append("\\n")
            case "\r": line.append("\\r")
            case "\t": line.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                line.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line.append("\"")
    }
}
