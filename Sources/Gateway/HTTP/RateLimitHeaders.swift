import Governance
import HTTPTypes
import Pipeline

/// `x-ratelimit-*` headers as OpenAI sends them: limit, remaining and time to reset, for requests
/// and for tokens.
enum RateLimitHeaders {
    static func fields(_ snapshot: RateLimitSnapshot?) -> HTTPFields {
        var fields = HTTPFields()
        guard let snapshot else { return fields }
        if let requests = snapshot.requests {
            fields[.init("x-ratelimit-limit-requests")!] = String(requests.limit)
            fields[.init("x-ratelimit-remaining-requests")!] = String(requests.remaining)
            fields[.init("x-ratelimit-reset-requests")!] = duration(requests.resetSeconds)
        }
        if let tokens = snapshot.tokens {
            fields[.init("x-ratelimit-limit-tokens")!] = String(tokens.limit)
            fields[.init("x-ratelimit-remaining-tokens")!] = String(tokens.remaining)
            fields[.init("x-ratelimit-reset-tokens")!] = duration(tokens.resetSeconds)
        }
        return fields
    }

    /// `6ms`, `1.5s`, `2m0s` like OpenAI's reset values.
    static func duration(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 1 { return "\(Int((s * 1000).rounded(.up)))ms" }
        if s < 60 { return String(format: "%.1fs", s) }
        return "\(Int(s) / 60)m\(Int(s) % 60)s"
    }
}

extension HTTPField.Name {
    static let cacheStatus = HTTPField.Name("x-gatehouse-cache")!
}
