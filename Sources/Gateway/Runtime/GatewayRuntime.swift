import AsyncHTTPClient
import Core
import Foundation
import LocalEngine
import Logging
import Pipeline
import Providers
import Store

/// Everything a running gateway holds: the configuration snapshot, the store, the providers and the
/// pipeline environment wired from concrete adapters. Built once at start-up.
public final class GatewayRuntime: Sendable {
    public let configuration: GatewayConfiguration
    public let environment: PipelineEnvironment
    public let store: SQLiteStore
    /// The ledger as the pipeline sees it: rows are queued and written in batches by this service.
    public let ledger: LedgerWriter
    public let logger: Logger
    /// Keyed digests of payloads and data-subject references.
    public let digester: HMACPayloadDigester
    let httpClient: HTTPClient
    let pipeline = InvocationPipeline()

    init(
        configuration: GatewayConfiguration, environment: PipelineEnvironment, store: SQLiteStore, ledger: LedgerWriter,
        httpClient: HTTPClient, logger: Logger, digester: HMACPayloadDigester
    ) {
        self.digester = digester
        self.configuration = configuration
        self.environment = environment
        self.store = store
        self.ledger = ledger
        self.httpClient = httpClient
        self.logger = logger
    }

    /// Opens the store, resolves secrets, trains (or loads cached) local models and wires the providers.
    public static func start(
        configuration: GatewayConfiguration, processEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) async throws -> GatewayRuntime {
        let dataDirectory = configuration.server.dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let store = try openStore(dataDirectory: dataDirectory, environment: processEnvironment)
        let resolver = SecretResolver(environment: processEnvironment, baseDirectory: configuration.baseDirectory)
        let digester = try HMACPayloadDigester.load(dataDirectory: dataDirectory, environment: processEnvironment)
        let configuredKeys = ConfiguredKeyAuthenticator(keys: configuration.apiKeys, resolver: resolver)
        let authenticator = KeyAuthenticator(store: store, configured: configuredKeys)

        let localModels = try LocalModelRegistry.build(
            configuration: configuration, cacheDirectory: (dataDirectory as NSString).appendingPathComponent("models"), logger: logger)
        // The router retries with its own backoff and deadline; the client should fail fast on a refused
        // connection instead of retrying silently until the request's time is gone, and never follow redirects.
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        clientConfiguration.timeout.connect = .seconds(5)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        var providers: [String: any ModelProvider] = [:]
        var configurations: [String: ProviderConfiguration] = [:]
        for provider in configuration.providers {
            configurations[provider.name] = provider
            let credential = provider.credential.flatMap(resolver.resolve)
            switch provider.kind {
            case .local:
                providers[provider.name] = LocalClassifierProvider(name: provider.name, models: localModels)
            case .openAICompatible:
                providers[provider.name] = OpenAICompatibleProvider(configuration: provider, credential: credential, httpClient: httpClient)
            case .anthropic:
                providers[provider.name] = AnthropicProvider(configuration: provider, credential: credential, httpClient: httpClient)
            }
            if provider.kind != .local && provider.credential != nil && credential == nil {
                logger.notice(
                    "provider credential not set; requests to it will fail over",
                    metadata: ["provider.name": "\(provider.name)", "credential.reference": "\(provider.credential!)"])
            }
        }
        let router = ResilientModelRouter(providers: providers, configurations: configurations)
        let ledger = LedgerWriter(store: store, logger: logger)
        let environment = PipelineEnvironment(
            configuration: configuration, authenticator: authenticator, router: router, ledger: ledger, digester: digester)
        if configuredKeys.activeKeyIDs.isEmpty, (try? await store.allKeys().isEmpty) ?? true {
            logger.warning("no API key configured or managed; every request will be refused with 401 (create one with: gatehouse keys bootstrap)")
        }
        return GatewayRuntime(
            configuration: configuration, environment: environment, store: store, ledger: ledger, httpClient: httpClient, logger: logger, digester: digester)
    }

    /// The store of a data folder, with the audit sealer keyed from `GATEHOUSE_AUDIT_KEY` or
    /// `audit-hmac.key` beside the database. The command-line tools open it the same way.
    public static func openStore(dataDirectory: String, environment: [String: String]) throws -> SQLiteStore {
        let auditKey = try ServerKeyFile.load(
            environmentVariable: "GATEHOUSE_AUDIT_KEY", fileName: "audit-hmac.key", dataDirectory: dataDirectory,
            environment: environment)
        return try SQLiteStore(
            path: (dataDirectory as NSString).appendingPathComponent("gatehouse.sqlite"), auditSealer: AuditSealer(key: auditKey))
    }

    public func shutdown() async throws {
        try await httpClient.shutdown()
    }
}
