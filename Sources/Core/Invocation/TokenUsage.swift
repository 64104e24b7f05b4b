public struct TokenUsage: Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// True when the provider reported no usage and the figures are estimates.
    public var estimated: Bool
    /// Input tokens served from the provider's prompt cache (part of `inputTokens`, billed lower).
    public var cachedInputTokens: Int = 0

    public init(inputTokens: Int = 0, outputTokens: Int = 0, estimated: Bool = false) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.estimated = estimated
    }

    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        var sum = TokenUsage(
            inputTokens: lhs.inputTokens + rhs.inputTokens, outputTokens: lhs.outputTokens + rhs.outputTokens,
            estimated: lhs.estimated || rhs.estimated)
        sum.cachedInputTokens = lhs.cachedInputTokens + rhs.cachedInputTokens
        return sum
    }

    /// A rough token estimate (about four characters per token) for providers that report none.
    public static func estimate(characters: Int) -> Int {
        max(1, (characters + 3) / 4)
    }
}
