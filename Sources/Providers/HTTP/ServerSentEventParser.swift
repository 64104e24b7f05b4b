/// Incremental parser of `text/event-stream`: feed it bytes as they arrive, get complete events.
/// Handles lines split across chunks, CRLF, comments and multi-line data.
public struct ServerSentEventParser: Sendable {
    public struct Event: Sendable, Hashable {
        public var event: String?
        public var data: String
    }

    private var pending: [UInt8] = []
    private var eventName: String?
    private var dataLines: [String] = []

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        var lineStart = 0
        var index = 0
        while index < pending.count {
            if pending[index] == UInt8(ascii: "\n") {
                var lineEnd = index
                if lineEnd > lineStart && pending[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = String(decoding: pending[lineStart..<lineEnd], as: UTF8.self)
                if let event = process(line) { events.append(event) }
                lineStart = index + 1
            }
            index += 1
        }
        pending.removeFirst(lineStart)
        return events
    }

    /// Flushes an event left without its blank line when the stream ends.
    public mutating func finish() -> [Event] {
        var events: [Event] = []
        if !pending.isEmpty {
            let line = String(decoding: pending, as: UTF8.self)
            pending.removeAll()
            if let event = process(line) { events.append(event) }
        }
        if let event = process("") { events.append(event) }
        return events
    }

    private mutating func process(_ line: String) -> Event? {
        if line.isEmpty {
            defer {
                eventName = nil
                dataLines = []
            }
            guard !dataLines.isEmpty else { return nil }
            return Event(event: eventName, data: dataLines.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value))
        case "event": eventName = String(value)
        default: break
        }
        return nil
    }
}
