import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Core
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
            ("ts", .string(UTCTimestamp.milliseconds(Date()) + "Z")), ("level", .string(event.level.rawValue)),
            ("msg", .string(event.message.description)), ("logger", .string(label)),
        ]
        // The request line carries all its metadata in the event; merge only when both have some.
        let merged: Logger.Metadata =
            metadata.isEmpty ? (event.metadata ?? [:]) : metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where key != "ts" && key != "level" && key != "msg" && key != "logger" {
            fields.append((key, value))
        }
        var line: [UInt8] = []
        line.reserveCapacity(640)
        Self.writeObject(fields, into: &line)
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Metadata as JSON: strings stay strings, nested dictionaries and arrays become objects and arrays.
    /// Written as UTF-8 bytes: appending to a String scalar by scalar cost more than the rest of the line.
    static func writeObject(_ fields: [(String, Logger.MetadataValue)], into line: inout [UInt8]) {
        line.append(UInt8(ascii: "{"))
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            JSONValue.writeString(key, into: &line)
            line.append(UInt8(ascii: ":"))
            writeValue(value, into: &line)
        }
        line.append(UInt8(ascii: "}"))
    }

    static func writeValue(_ value: Logger.MetadataValue, into line: inout [UInt8]) {
        switch value {
        case .string(let text): JSONValue.writeString(text, into: &line)
        case .stringConvertible(let convertible): JSONValue.writeString(convertible.description, into: &line)
        case .dictionary(let dictionary): writeObject(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: &line)
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                writeValue(element, into: &line)
            }
            line.append(UInt8(ascii: "]"))
        }
    }
}
