import Core
import Testing

@Suite struct JSONWriterTests {
    @Test func writesMembersInTheGivenOrderWithCommasOnlyBetweenSiblings() throws {
        var json = JSONWriter()
        json.beginObject()
        json.member("id", "chatcmpl-1")
        json.member("created", integer: -42)
        json.key("choices")
        json.beginArray()
        json.beginObject()
        json.member("index", integer: 0)
        json.key("message")
        json.beginObject()
        json.key("content")
        json.null()
        json.member("tool_calls", [["b": 1, "a": "x"]])
        json.endObject()
        json.endObject()
        json.beginArray()
        json.endArray()
        json.string("q\"\n")
        json.number(2.5)
        json.bool(false)
        json.endArray()
        json.key("empty")
        json.beginObject()
        json.endObject()
        json.endObject()
        let text = String(decoding: json.bytes, as: UTF8.self)
        #expect(
            text == #"{"id":"chatcmpl-1","created":-42,"choices":[{"index":0,"message":{"content":null,"tool_calls":[{"a":"x","b":1}]}},[],"q\"\n",2.5,false],"empty":{}}"#)
        let expected: JSONValue = [
            "id": "chatcmpl-1", "created": -42,
            "choices": [["index": 0, "message": ["content": .null, "tool_calls": [["b": 1, "a": "x"]]]], [], "q\"\n", 2.5, false],
            "empty": [:],
        ]
        #expect(try JSONValue.parse(json.bytes) == expected)
    }

    @Test func anEmptyTopLevelArrayAndScalarsAreValid() throws {
        var array = JSONWriter()
        array.beginArray()
        array.endArray()
        #expect(String(decoding: array.bytes, as: UTF8.self) == "[]")
        var scalar = JSONWriter()
        scalar.number(.infinity)
        #expect(String(decoding: scalar.bytes, as: UTF8.self) == "null")
    }

    @Test func sortedKeysMatchTheGenericWriterOrder() {
        let keys = ["b", "a", "B", "é", "e", "ab", "a\u{301}", "🚀", "z"]
        let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.null) }))
        var written = JSONWriter()
        written.beginObject()
        for key in JSONValue.sortedKeys(keys) {
            written.key(key)
            written.null()
        }
        written.endObject()
        #expect(String(decoding: written.bytes, as: UTF8.self) == object.compactJSONString())
        // Both follow `String` order, the canonical one, whether or not every key is ASCII.
        #expect(JSONValue.sortedKeys(keys) == keys.sorted())
        let ascii = ["b", "a", "B", "ab", "Z_", "a1", "_"]
        #expect(JSONValue.sortedKeys(ascii) == ascii.sorted())
    }
}

@Suite struct JSONIntegerWritingTests {
    @Test(arguments: [0, 7, -7, 10, 4096, -1_000_000, 8_999_999_999_999_999, Int.max, Int.min + 1, Int.min])
    func integersAreWrittenAsSwiftPrintsThem(value: Int) {
        var json = JSONWriter()
        json.integer(value)
        #expect(String(decoding: json.bytes, as: UTF8.self) == String(value))
    }

    @Test(arguments: [0.0, -0.0, 1.0, -42.0, 8.999e15, 9.1e15, 0.5, -2.25])
    func numbersMatchTheFormerForm(value: Double) throws {
        let expected = value.rounded() == value && abs(value) < 9.0e15 ? String(Int64(value)) : "\(value)"
        #expect(JSONValue.number(value).compactJSONString() == expected)
    }
}
