import Testing

@testable import Gateway

@Suite struct RateLimitHeaderTests {
    @Test func resetDurationsReadLikeOpenAIsAndNeverEarly() {
        #expect(RateLimitHeaders.duration(0) == "0ms")
        #expect(RateLimitHeaders.duration(0.0061) == "7ms")
        #expect(RateLimitHeaders.duration(1) == "1.0s")
        #expect(RateLimitHeaders.duration(1.5) == "1.5s")
        #expect(RateLimitHeaders.duration(1.51) == "1.6s")
        #expect(RateLimitHeaders.duration(59.99) == "1m0s")
        #expect(RateLimitHeaders.duration(60) == "1m0s")
        #expect(RateLimitHeaders.duration(125) == "2m5s")
        #expect(RateLimitHeaders.duration(-3) == "0ms")
    }
}

@Suite struct MediaTypeTests {
    @Test func mediaTypeIsTheLowercasedTypeBeforeParameters() {
        #expect(RequestBodyReader.mediaType("application/json") == "application/json")
        #expect(RequestBodyReader.mediaType("Application/JSON; charset=utf-8") == "application/json")
        #expect(RequestBodyReader.mediaType(" \tapplication/json \t;charset=utf-8") == "application/json")
        #expect(RequestBodyReader.mediaType("text/plain") == "text/plain")
        #expect(RequestBodyReader.mediaType("") == "")
        #expect(RequestBodyReader.mediaType(";") == "")
        #expect(RequestBodyReader.mediaType("application/jsonx") == "application/jsonx")
        #expect(RequestBodyReader.mediaType("applicatión/json") == "applicatión/json")
    }
}
