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
