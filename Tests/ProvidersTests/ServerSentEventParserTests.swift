import Testing

@testable import Providers

@Suite struct ServerSentEventParserTests {
    @Test func parsesEventsSplitAcrossChunksWithCRLFAndComments() {
        var parser = ServerSentEventParser()
        var events = parser.feed(Array("event: message_start\r\ndata: {\"a\":".utf8))
        #expect(events.isEmpty)
        events += parser.feed(Array("1}\r\n\r\n: keep-alive\n\ndata: line one\ndata: line two\n\n".utf8))
        events += parser.feed(Array("data: [DONE]".utf8))
        events += parser.finish()
        #expect(events == [
            .init(event: "message_start", data: "{\"a\":1}"),
            .init(event: nil, data: "line one\nline two"),
            .init(event: nil, data: "[DONE]"),
        ])
    }

    @Test func byteAtATimeGivesTheSameEvents() {
        let text = "data: {\"x\": \"é\"}\n\nevent: e\ndata: 2\n\n"
        var whole = ServerSentEventParser()
        let expected = whole.feed(Array(text.utf8))
        var split = ServerSentEventParser()
        var events: [ServerSentEventParser.Event] = []
        for byte in text.utf8 { events += split.feed([byte]) }
        #expect(events == expected)
        #expect(events.count == 2)
    }
}
