/// Fields of a structured log line, already written as JSON members (`"key":value,...`).
///
/// The request line is the one log event of every request: building it as a swift-log metadata
/// dictionary (a dozen boxed strings, a nested dictionary, then sorted and re-encoded by the handler)
/// cost more than writing its JSON once. It travels as one metadata value; Gatehouse's JSON handler
/// splices the members into the line, and any other handler prints the object (`description`).
public struct LogFields: Sendable, CustomStringConvertible {
    /// The members, comma-separated, without the enclosing braces.
    public private(set) var members: [UInt8] = []

    public init() {
        members.reserveCapacity(512)
    }

    public var isEmpty: Bool { members.isEmpty }

    public mutating func add(_ key: String, _ value: String) {
        beginMember(key)
        JSONValue.writeString(value, into: &members)
    }

    /// A number written as given (callers format it: integers, or milliseconds rounded to microseconds).
    public mutating func add(_ key: String, number: Double) {
        beginMember(key)
        JSONValue.number(number).write(into: &members)
    }

    /// A nested object.
    public mutating func add(_ key: String, object: LogFields) {
        beginMember(key)
        members.append(UInt8(ascii: "{"))
        members.append(contentsOf: object.members)
        members.append(UInt8(ascii: "}"))
    }

    private mutating func beginMember(_ key: String) {
        if !members.isEmpty { members.append(UInt8(ascii: ",")) }
        JSONValue.writeString(key, into: &members)
        members.append(UInt8(ascii: ":"))
    }

    public var description: String {
        String(decoding: [UInt8(ascii: "{")] + members + [UInt8(ascii: "}")], as: UTF8.self)
    }
}
