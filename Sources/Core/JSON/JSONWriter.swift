/// Writes JSON text member by member, in the order the caller gives, straight into bytes.
///
/// Bodies built on every request (the upstream chat request, the passthrough answer) used to be
/// assembled as `JSONValue` dictionaries and then written with sorted keys: each one hashed every
/// key, allocated a dictionary per object and sorted its members, for text nobody needs sorted.
/// Values that are already `JSONValue` (message content, tool definitions) go through the generic
/// writer. The writer tracks only whether a comma is due, so the caller must balance `begin`/`end`
/// and give a key before each value inside an object.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// A value or a closed container was just written: the next key or array element needs a comma.
    private var commaDue = false

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// An object member's key (a literal written as is, so it must need no JSON escaping); the next
    /// write is its value.
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        commaDue = false
    }

    /// An object member's key given at run time (escaped as JSON requires); the next write is its value.
    public mutating func key(_ key: String) {
        separate()
        JSONValue.writeString(key, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        commaDue = false
    }

    public mutating func string(_ text: String) {
        separate()
        JSONValue.writeString(text, into: &bytes)
        commaDue = true
    }

    public mutating func number(_ number: Double) {
        separate()
        JSONValue.writeNumber(number, into: &bytes)
        commaDue = true
    }

    public mutating func integer(_ number: Int) {
        separate()
        JSONValue.writeInteger(Int64(number), into: &bytes)
        commaDue = true
    }

    public mutating func bool(_ flag: Bool) {
        value(.bool(flag))
    }

    public mutating func null() {
        value(.null)
    }

    /// Any JSON value, through the generic (sorted-key) writer.
    public mutating func value(_ value: JSONValue) {
        separate()
        value.write(into: &bytes)
        commaDue = true
    }

    // Member shorthands.

    public mutating func member(_ name: StaticString, _ text: String) {
        key(name)
        string(text)
    }

    public mutating func member(_ name: StaticString, integer: Int) {
        key(name)
        self.integer(integer)
    }

    public mutating func member(_ name: StaticString, number: Double) {
        key(name)
        self.number(number)
    }

    public mutating func member(_ name: StaticString, _ value: JSONValue) {
        key(name)
        self.value(value)
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        commaDue = false
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        commaDue = true
    }

    private mutating func separate() {
        if commaDue { bytes.append(UInt8(ascii: ",")) }
    }
}
