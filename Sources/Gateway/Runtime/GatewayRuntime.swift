import AsyncHTTPClient
import Contract
import Core
import Foundation
import Governance
import Guards
import LocalEngine
import Logging
import Pipeline
import Providers
import Store
import Synchronization

/// Everything a running gateway holds: the configuration snapshot, the store, the providers and the
/// pipeline environment wired from concrete adapters.
///
/// The configuration and the environment built from it are one snapshot, replaced as a whole by a
/// reload; a request takes the snapshot once and reads everything through it, so requests already
/// running keep theirs.
public final class GatewayRuntime: Sendable {
    /// Immutable and shared: a request takes the reference once (one lock, one retain) and reads
    /// through it, instead of copying the configuration or the environment (dozens of references
    /// each) at every access.
    final class Snapshot: Sendable {
        let configuration: GatewayConfiguration
        let environment: PipelineEnvironment
        /// `provider/model` pairs the configuration names: the only model values metrics use as labels.
        let knownModels: Set<String>

        init(configuration: GatewayConfiguration, environment: PipelineEnvironment) {
            self.configuration = configuration
            self.environment = environment
            var models = Set<String>()
            for useCase in configuration.useCases {
                for variant in useCase.variants {
                    models.insert("\(variant.provider)/\(variant.modelName)")
                    // A local variant's model is addressed as `<use case>/<variant>`.
                    if case .local = variant.engine { models.insert("\(variant.provider)/\(useCase.id)/\(variant.name)") }
                    if case .model(let model) = variant.engine { for target in model.failover { models.insert("\(target.provider)/\(target.model)") } }
                }
            }
            knownModels = models
        }
    }

    private let current: Mutex<Snapshot>
    /// The configuration and environment in force; a request reads them through one snapshot.
    var snapshot: Snapshot { current.withLock { $0 } }
    public var configuration: GatewayConfiguration { snapshot.configuration }
    public var environment: PipelineEnvironment { snapshot.environment }
    public let store: SQLiteStore
    /// The ledger as the pipeline sees it: rows are queued and written in batches by this service.
    public let ledger: LedgerWriter
    public let logger: Logger
    /// Keyed digests of payloads and data-subject references.
    public let digester: HMACPayloadDigester
    /// Where the configuration was loaded from, for reloads; `nil` when built in memory.
    public let configurationPath: String?
    let processEnvironment: [String: String]
    let httpClient: HTTPClient
    /// Carries the providers' non-streaming calls (`httpClient` carries streams, webhooks and exports).
    let upstream: UpstreamConnectionPool
    let pipeline = InvocationPipeline()
    /// Prometheus metrics of this runtime (`GET /metrics`).
    public let metrics = GatewayMetrics()
    /// OTLP span export (idle unless `server.tracing` is configured).
    public let traces: TraceExporter
    /// One reload at a time.
    private let reloading = Mutex(false)

    init(
        snapshot: Snapshot, store: SQLiteStore, ledger: LedgerWriter, httpClient: HTTPClient, upstream: UpstreamConnectionPool,
        logger: Logger, digester: HMACPayloadDigester, configurationPath: String?, processEnvironment: [String: String]
    ) {
        self.current = Mutex(snapshot)
        self.traces = TraceExporter(
            settings: snapshot.configuration.server.tracing, client: httpClient, logger: logger,
            interval: .milliseconds(processEnvironment["GATEHOUSE_TRACE_EXPORT_INTERVAL_MS"].flatMap(Int.init) ?? 1000))
        self.digester = digester
        self.store = store
        self.ledger = ledger
        self.httpClient = httpClient
        self.upstream = upstream
        self.logger = logger
        self.configurationPath = configurationPath
        self.processEnvironment = processEnvironment
    }

    /// Opens the store, resolves secrets, trains (or loads cached) local models and wires the providers.
    public static func start(
        configuration: GatewayConfiguration, processEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        configurationPath: String? = nil, logger: Logger, enforcePromotion: Bool = true
    ) async throws -> GatewayRuntime {
        let dataDirectory = configuration.server.dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let store = try openStore(dataDirectory: dataDirectory, environment: processEnvironment)
        if enforcePromotion {
            try await PromotionGate.apply(configuration: configuration, store: store, actor: "gatehouse", logger: logger)
        }
        let digester = try HMACPayloadDigester.load(dataDirectory: dataDirectory, environment: processEnvironment)
        // The router retries with its own backoff and deadline; the client should fail fast on a refused
        // connection instead of retrying silently until the request's time is gone, and never follow redirects.
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        clientConfiguration.timeout.connect = .seconds(5)
        // The gateway makes its own spans and sends `traceparent` itself; AsyncHTTPClient's own span
        // per request (a no-op tracer unless one is bootstrapped) only cost time.
        clientConfiguration.tracing.tracer = nil
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let upstream = UpstreamConnectionPool(connectTimeout: .seconds(5))
        let ledger = LedgerWriter(store: store, logger: logger)
        let alerter = BudgetAlerter(httpClient: httpClient, store: store, logger: logger) { useCase in
            useCase.flatMap { id in configuration.useCase(id: id)?.owners.onCallWebhook }
        }
        let governance = GovernanceSet(onCrossing: { crossings, useCase in alerter.notify(crossings, useCase: useCase) })
        // Spend already in the ledger for the current windows: a restart does not reset a budget.
        var seeds: [(BudgetAccountant.Cap, SpendDimension, String)] = []
        for useCase in configuration.useCases { seeds += GovernanceSet.caps(of: useCase).map { ($0, .useCase, useCase.id) } }
        for (scope, caps) in GovernanceSet.principalCaps(configuration) {
            let dimension: SpendDimension = scope.hasPrefix("team:") ? .team : .key
            let value = String(scope.drop(while: { $0 != ":" }).dropFirst())
            seeds += caps.map { ($0, dimension, value) }
        }
        for (cap, dimension, value) in seeds {
            let since = cap.window.start(of: Date(), timeZone: cap.timeZone)
            if let spent = try? await store.spend(dimension, value: value, since: since) { governance.budgets.seed(cap, spent: Nanodollars(usd: spent)) }
        }
        let environment: PipelineEnvironment
        do {
            environment = try buildEnvironment(
                configuration: configuration, processEnvironment: processEnvironment, store: store, ledger: ledger, digester: digester,
                httpClient: httpClient, upstream: upstream, logger: logger, governance: governance)
        } catch {
            upstream.shutdown()
            try? await httpClient.shutdown()
            throw error
        }
        if (try? await store.allKeys().isEmpty) ?? true, configuration.apiKeys.isEmpty {
            logger.warning("no API key configured or managed; every request will be refused with 401 (create one with: gatehouse keys bootstrap)")
        }
        return GatewayRuntime(
            snapshot: Snapshot(configuration: configuration, environment: environment), store: store, ledger: ledger,
            httpClient: httpClient, upstream: upstream, logger: logger, digester: digester, configurationPath: configurationPath,
            processEnvironment: processEnvironment)
    }

    /// Resolves secrets, trains or loads local models and wires providers and the router for one configuration.
    static func buildEnvironment(
        configuration: GatewayConfiguration, processEnvironment: [String: String], store: SQLiteStore, ledger: LedgerWriter,
        digester: HMACPayloadDigester, httpClient: HTTPClient, upstream: UpstreamConnectionPool, logger: Logger, governance: GovernanceSet
    ) throws -> PipelineEnvironment {
        var governance = governance
        // Caches follow the contracts: one per use case that opts in (kept across reloads when the policy stays).
        var caches: [String: ResponseCache<CachedAnswer>] = [:]
        for useCase in configuration.useCases {
            guard let policy = useCase.cache else { continue }
            if let existing = governance.caches[useCase.id], existing.capacity == policy.maxEntries {
                caches[useCase.id] = existing
            } else {
                caches[useCase.id] = ResponseCache(capacity: policy.maxEntries)
            }
        }
        governance.caches = caches
        governance.principalCaps = GovernanceSet.principalCaps(configuration)
        governance.keyRequestLimit = configuration.server.keyRequestsPerMinute.map { RateLimiter.Limit(perMinute: $0) }
        governance.keyTokenLimit = configuration.server.keyTokensPerMinute.map { RateLimiter.Limit(perMinute: $0, burst: max($0 / 60, min($0, 8192))) }
        let resolver = SecretResolver(environment: processEnvironment, baseDirectory: configuration.baseDirectory)
        let configuredKeys = ConfiguredKeyAuthenticator(keys: configuration.apiKeys, resolver: resolver)
        let authenticator = KeyAuthenticator(store: store, configured: configuredKeys)
        let localModels = try LocalModelRegistry.build(
            configuration: configuration, cacheDirectory: (configuration.server.dataDirectory as NSString).appendingPathComponent("models"),
            logger: logger)
        var providers: [String: any ModelProvider] = [:]
        var configurations: [String: ProviderConfiguration] = [:]
        for provider in configuration.providers {
            configurations[provider.name] = provider
            let credential = provider.credential.flatMap(resolver.resolve)
            switch provider.kind {
            case .local:
                providers[provider.name] = LocalClassifierProvider(name: provider.name, models: localModels)
            case .openAICompatible:
                providers[provider.name] = OpenAICompatibleProvider(configuration: provider, credential: credential, httpClient: httpClient, upstream: upstream)
            case .anthropic:
                providers[provider.name] = AnthropicProvider(configuration: provider, credential: credential, httpClient: httpClient, upstream: upstream)
            }
            if provider.kind != .local && provider.credential != nil && credential == nil {
                logger.notice(
                    "provider credential not set; requests to it will fail over",
                    metadata: ["provider.name": "\(provider.name)", "credential.reference": "\(provider.credential!)"])
            }
        }
        let router = ResilientModelRouter(providers: providers, configurations: configurations)
        var injection = InjectionDetector()
        if !configuration.guards.injectionTrainingData.isEmpty {
            injection = InjectionDetector(classifier: try InjectionTraining.classifier(
                fromJSONLines: configuration.guards.injectionTrainingData, cacheDirectory: (configuration.server.dataDirectory as NSString).appendingPathComponent("models")))
        }
        var environment = PipelineEnvironment(
            configuration: configuration, authenticator: authenticator, router: router, ledger: ledger, digester: digester,
            guards: GuardSet(pii: PIIDetector(), injection: injection), governance: governance)
        environment.reviews = store
        return environment
    }

    /// What a reload changed.
    public struct ReloadReport: Sendable {
        /// `use case id -> stable variant@version`, after the reload.
        public var useCases: [String: String]
        /// Server settings that differ on disk but only take effect after a restart (the listener and the store stay).
        public var restartRequired: [String]
    }

    /// Loads the configuration again from disk and swaps it in if it is valid; an invalid one changes
    /// nothing and is reported with the same messages as `gatehouse check`. Provider circuit breakers
    /// start closed again; the listener, TLS and the data folder need a restart.
    public func reload(actor: AuditActor) async throws(GatewayError) -> ReloadReport {
        guard let path = configurationPath else {
            throw GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "This gateway was not started from a configuration file; it cannot reload.")
        }
        guard reloading.withLock({ busy in defer { busy = true }; return !busy }) else {
            throw GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "A reload is already running.", retryAfterSeconds: 1)
        }
        defer { reloading.withLock { $0 = false } }
        var loaded: GatewayConfiguration
        do {
            let processEnvironment = processEnvironment
            loaded = try await Offload.run { () throws(ConfigurationErrors) in try ConfigurationLoader.load(path: path, environment: processEnvironment) }
        } catch {
            try? await store.append([
                AuditEventDraft(actor: actor.id, actorTeam: actor.team, action: "config.reload", outcome: "invalid", details: ["errors": .number(Double(error.diagnostics.count))])
            ])
            let shown = error.diagnostics.prefix(20).map(\.description).joined(separator: "\n")
            throw GatewayError(status: 400, code: .init(rawValue: "invalid_configuration"), message: "The configuration on disk is invalid; nothing changed.\n\(shown)")
        }
        let old = configuration
        var restart: [String] = []
        if loaded.server.host != old.server.host || loaded.server.port != old.server.port { restart.append("server.listen") }
        if loaded.server.dataDirectory != old.server.dataDirectory { restart.append("server.data_dir") }
        if loaded.server.tls != old.server.tls { restart.append("server.tls") }
        if loaded.server.maxHeaderBytes != old.server.maxHeaderBytes || loaded.server.maxHeaderCount != old.server.maxHeaderCount
            || loaded.server.requestReadTimeoutMilliseconds != old.server.requestReadTimeoutMilliseconds
            || loaded.server.idleTimeoutMilliseconds != old.server.idleTimeoutMilliseconds
            || loaded.server.corsAllowedOrigins != old.server.corsAllowedOrigins
        {
            restart.append("server connection settings")
        }
        loaded.server.dataDirectory = old.server.dataDirectory
        let environment: PipelineEnvironment
        do {
            let (configuration, processEnvironment, store, ledger, digester) = (loaded, processEnvironment, store, ledger, digester)
            let (httpClient, upstream, logger, governance) = (httpClient, upstream, logger, self.environment.governance)
            // Models may be trained here: off the threads that serve requests.
            environment = try await Offload.run {
                try Self.buildEnvironment(
                    configuration: configuration, processEnvironment: processEnvironment, store: store, ledger: ledger, digester: digester,
                    httpClient: httpClient, upstream: upstream, logger: logger, governance: governance)
            }
        } catch {
            throw GatewayError(status: 400, code: .init(rawValue: "invalid_configuration"), message: "The configuration could not be applied; nothing changed: \(error)")
        }
        do {
            try await PromotionGate.apply(configuration: loaded, store: store, actor: actor.id, logger: logger)
        } catch let refusal as PromotionGate.Refusal {
            try? await store.append([
                AuditEventDraft(
                    actor: actor.id, actorTeam: actor.team, action: "config.reload", useCase: refusal.useCase, outcome: "refused",
                    details: ["reason": .string(refusal.description)])
            ])
            throw GatewayError(status: 409, code: .init(rawValue: "variant_not_evaluated"), message: "Nothing changed: \(refusal.description).")
        } catch {
            throw GatewayError(status: 500, code: .init(rawValue: "store_error"), message: "Nothing changed: the promotion check could not read the store.")
        }
        current.withLock { $0 = Snapshot(configuration: loaded, environment: environment) }
        traces.update(settings: loaded.server.tracing)
        var versions: [String: String] = [:]
        for useCase in loaded.useCases {
            if let stable = useCase.variant(named: useCase.stableVariant) { versions[useCase.id] = "\(stable.name)@\(stable.version)" }
        }
        try? await store.append([
            AuditEventDraft(
                actor: actor.id, actorTeam: actor.team, action: "config.reload",
                details: [
                    "use_cases": .object(versions.mapValues(JSONValue.string)),
                    "restart_required": .array(restart.map(JSONValue.string)),
                ])
        ])
        logger.notice("configuration reloaded", metadata: ["use_cases": "\(loaded.useCases.count)", "restart_required": "\(restart)"])
        return ReloadReport(useCases: versions, restartRequired: restart)
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
        upstream.shutdown()
        try await httpClient.shutdown()
    }
}

/// Runs blocking or long CPU work (file reads, model training) on a Dispatch thread.
///
/// Request handlers run on the event loops that also do the network I/O (see `gatehouse serve`);
/// work measured in milliseconds there would hold up every connection of that loop.
enum Offload {
    static func run<T: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> T) async throws(Failure) -> T {
        let result: Result<T, Failure> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Result { () throws(Failure) -> T in try work() })
            }
        }
        return try result.get()
    }
}
