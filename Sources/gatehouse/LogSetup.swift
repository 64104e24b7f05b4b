import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Core
import Logging
import Synchronization

/// The only place logging is bootstrapped: JSON lines on stderr, one object per event.
enum LogSetup {
    static func bootstrap(level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = parsed
            return handler
        }
        // Lines waiting in the buffer leave when the process exits normally.
        atexit { LogOutput.standardError.flush() }
        var logger = Logger(label: "gatehouse")
        logger.logLevel = parsed
        return logger
    }
}

/// Where log lines go: standard error, written in batches.
///
/// One `write` per request line was a system call per request; lines now wait in a buffer for at
/// most `flushDelay` (or until `flushBytes` are waiting), and warnings and errors go out at once,
/// with everything before them. A crash loses at most the last `flushDelay` of info lines; the
/// ledger, not the log, is the record of each request.
final class LogOutput: Sendable {
    static let standardError = LogOutput(descriptor: 2)
    static let flushDelay: DispatchTimeInterval = .milliseconds(20)
    static let flushBytes = 64 << 10

    private struct State {
        var buffer: [UInt8] = []
        var flushScheduled = false
    }

    private let descriptor: Int32
    private let state = Mutex(State())
    private let flusher = DispatchQueue(label: "gatehouse.log-flush")

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Queues `line` (which ends with a newline); `urgent` writes it and everything queued now.
    func write(_ line: [UInt8], urgent: Bool) {
        let scheduleFlush = state.withLock { state -> Bool in
            state.buffer.append(contentsOf: line)
            if urgent || state.buffer.count >= Self.flushBytes {
                // Written under the lock, so lines never leave out of order.
                writeAll(state.buffer)
                state.buffer.removeAll(keepingCapacity: state.buffer.capacity <= 4 * Self.flushBytes)
                return false
            }
            guard !state.flushScheduled else { return false }
            state.flushScheduled = true
            return true
        }
        if scheduleFlush {
            flusher.asyncAfter(deadline: .now() + Self.flushDelay) { self.flush() }
        }
    }

    /// Writes whatever is queued.
    func flush() {
        state.withLock { state in
            state.flushScheduled = false
            guard !state.buffer.isEmpty else { return }
            writeAll(state.buffer)
            state.buffer.removeAll(keepingCapacity: state.buffer.capacity <= 4 * Self.flushBytes)
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
    }
}

/// Writes each log event as one JSON object per line. Messages are constant sentences; the variable
/// parts are metadata, which callers keep free of payloads and secrets.
struct JSONLogHandler: LogHandler {
    let label: String
    var output = LogOutput.standardError
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
        var spliced: [LogFields] = []
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where key != "ts" && key != "level" && key != "msg" && key != "logger" {
            // Pre-written fields join the line's top level (see `LogFields`).
            if case .stringConvertible(let convertible) = value, let fields = convertible as? LogFields {
                spliced.append(fields)
            } else {
                fields.append((key, value))
            }
        }
        var line: [UInt8] = []
        line.reserveCapacity(640)
        Self.writeObject(fields, into: &line)
        for extra in spliced where !extra.isEmpty {
            line.removeLast()  // "}"
            line.append(UInt8(ascii: ","))
            line.append(contentsOf: extra.members)
            line.append(UInt8(ascii: "}"))
        }
        line.append(UInt8(ascii: "\n"))
        output.write(line, urgent: event.level >= .warning)
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
