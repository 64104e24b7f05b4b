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
            fields[.rateLimitLimitRequests] = String(requests.limit)
            fields[.rateLimitRemainingRequests] = String(requests.remaining)
            fields[.rateLimitResetRequests] = duration(requests.resetSeconds)
        }
        if let tokens = snapshot.tokens {
            fields[.rateLimitLimitTokens] = String(tokens.limit)
            fields[.rateLimitRemainingTokens] = String(tokens.remaining)
            fields[.rateLimitResetTokens] = duration(tokens.resetSeconds)
        }
        return fields
    }

    /// `6ms`, `1.5s`, `2m0s` like OpenAI's reset values.
    static func duration(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 1 { return "\(Int((s * 1000).rounded(.up)))ms" }
        if s < 60 {
            // One decimal, rounded up like the milliseconds (never announce a reset earlier than it is).
            let tenths = Int((s * 10).rounded(.up))
            return tenths >= 600 ? "1m0s" : "\(tenths / 10).\(tenths % 10)s"
        }
        return "\(Int(s) / 60)m\(Int(s) % 60)s"
    }
}

extension HTTPField.Name {
    static let cacheStatus = HTTPField.Name("x-gatehouse-cache")!
    static let rateLimitLimitRequests = HTTPField.Name("x-ratelimit-limit-requests")!
    static let rateLimitRemainingRequests = HTTPField.Name("x-ratelimit-remaining-requests")!
    static let rateLimitResetRequests = HTTPField.Name("x-ratelimit-reset-requests")!
    static let rateLimitLimitTokens = HTTPField.Name("x-ratelimit-limit-tokens")!
    static let rateLimitRemainingTokens = HTTPField.Name("x-ratelimit-remaining-tokens")!
    static let rateLimitResetTokens = HTTPField.Name("x-ratelimit-reset-tokens")!
}
