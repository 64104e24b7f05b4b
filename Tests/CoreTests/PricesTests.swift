import Testing

@testable import Core

@Suite struct PricesTests {
    @Test func knownModelsHaveListPricesAndTheLongestPrefixWins() {
        #expect(DefaultPrices.forModel("gpt-4o-mini-2024-07-18")?.inputPerMillion == 0.15)
        #expect(DefaultPrices.forModel("gpt-4o-2024-08-06")?.inputPerMillion == 2.50)
        #expect(DefaultPrices.forModel("claude-sonnet-4-20250514")?.outputPerMillion == 15.00)
        #expect(DefaultPrices.forModel("my-own-model") == nil)
    }

    @Test func configuredPricesComeFirstThenListPricesThenFree() {
        var provider = ProviderConfiguration(name: "openai", kind: .openAICompatible, baseURL: "https://api.openai.com/v1")
        #expect(provider.prices(forModel: "gpt-4o-mini").outputPerMillion == 0.60)
        provider.prices = Prices(inputPerMillion: 1, outputPerMillion: 2)
        #expect(provider.prices(forModel: "gpt-4o-mini").outputPerMillion == 2)
        provider.modelPrices["gpt-4o-mini"] = Prices(inputPerMillion: 9, outputPerMillion: 9)
        #expect(provider.prices(forModel: "gpt-4o-mini").inputPerMillion == 9)
        let local = ProviderConfiguration(name: "local", kind: .local)
        #expect(local.prices(forModel: "gpt-4o") == .free)
    }

    @Test func cachedInputTokensAreBilledAtTheCachedPrice() {
        var usage = TokenUsage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        usage.cachedInputTokens = 400_000
        let prices = Prices(inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25)
        #expect(abs(prices.cost(usage) - (0.6 * 2.5 + 0.4 * 1.25 + 10)) < 1e-12)
        #expect(abs(Prices(inputPerMillion: 2, outputPerMillion: 0).cost(usage) - 2) < 1e-12)  // no cached price: full price
    }
}
