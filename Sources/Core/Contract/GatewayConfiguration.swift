/// The whole validated configuration: server settings, providers, keys and use cases.
///
/// Built by the `Contract` module from `gatehouse.yaml` and the `usecases/` folder; swapped
/// atomically as one value, so a request never sees half of a reload.
public struct GatewayConfiguration: Sendable {
    public var server: ServerSettings
    public var providers: [ProviderConfiguration]
    public var apiKeys: [APIKeyConfiguration]
    public var useCases: [UseCase]
    public var guards: GuardSettings = GuardSettings()
    /// Budgets of teams and keys (use-case budgets live in the contracts).
    public var budgets: [PrincipalBudget] = []
    /// Folder that holds `gatehouse.yaml`; relative paths in the configuration are resolved against it.
    public var baseDirectory: String

    public init(
        server: ServerSettings, providers: [ProviderConfiguration], apiKeys: [APIKeyConfiguration],
        useCases: [UseCase], baseDirectory: String
    ) {
        self.server = server
        self.providers = providers
        self.apiKeys = apiKeys
        self.useCases = useCases
        self.baseDirectory = baseDirectory
    }

    public func provider(named name: String) -> ProviderConfiguration? {
        providers.first { $0.name == name }
    }

    public func useCase(id: String) -> UseCase? {
        useCases.first { $0.id == id }
    }
}

public struct ServerSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// Folder of the SQLite store and the local model cache, absolute after loading.
    public var dataDirectory: String
    public var maxBodyBytes: Int
    public var requestDeadlineMilliseconds: Int
    public var logLevel: String
    /// Total size of a request's header block; above it the request is refused with 431.
    public var maxHeaderBytes: Int = 32 * 1024
    /// Number of header fields; above it the request is refused with 431.
    public var maxHeaderCount: Int = 100
    /// Time a client has to send a request's head and then its whole body; a slower client is
    /// disconnected, so it cannot hold a connection open by dribbling bytes.
    public var requestReadTimeoutMilliseconds: Int = 10_000
    /// An idle keep-alive connection is closed after this long.
    public var idleTimeoutMilliseconds: Int = 60_000
    /// Origins allowed by CORS; empty (the default) sends no CORS headers at all.
    public var corsAllowedOrigins: [String] = []
    /// Serve HTTPS from these PEM files; `nil` serves plain HTTP (behind a TLS-terminating proxy).
    public var tls: TLSSettings?
    /// Default rate limits of every API key (requests and tokens per minute); `nil`: none.
    public var keyRequestsPerMinute: Int?
    public var keyTokensPerMinute: Int?
    /// How often the review queues are checked against their use cases' review SLA.
    public var reviewCheckIntervalSeconds: Int = 60
    /// How often expired payloads are purged from the ledger.
    public var retentionPurgeIntervalSeconds: Int = 3600
    /// Where spans go (OTLP over HTTP, protobuf, `<endpoint>/v1/traces`); `nil`: no export.
    public var tracing: TracingSettings?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = ".gatehouse",
        maxBodyBytes: Int = 1 << 20, requestDeadlineMilliseconds: Int = 30_000, logLevel: String = "info"
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.maxBodyBytes = maxBodyBytes
        self.requestDeadlineMilliseconds = requestDeadlineMilliseconds
        self.logLevel = logLevel
    }
}

/// A budget for a team or a key, across every use case and passthrough call it makes.
public struct PrincipalBudget: Sendable, Hashable {
    /// `team:<name>` or `key:<id>`.
    public var scope: String
    public var budget: BudgetPolicy

    public init(scope: String, budget: BudgetPolicy) {
        self.scope = scope
        self.budget = budget
    }
}

/// Gateway-wide guard settings.
public struct GuardSettings: Sendable, Hashable {
    /// Labelled JSON Lines files (`{"text", "label": 0|1}`) that together train the injection
    /// classifier; empty: the phrase and structure rules alone.
    public var injectionTrainingData: [String] = []
    /// Scalars of streamed output held back so that an entity split across chunks is seen whole
    /// before anything is released.
    public var streamHoldback: Int = 96

    public init() {}
}

public struct TLSSettings: Sendable, Hashable {
    /// Absolute paths after loading.
    public var certificateFile: String
    public var keyFile: String

    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// A caller's key as declared in the configuration. Only a reference to the secret is kept here.
public struct APIKeyConfiguration: Sendable, Hashable {
    public var id: String
    public var secret: SecretReference
    /// Use cases this key may invoke; `nil` means every use case.
    public var useCases: [String]?
    /// Providers this key may call directly through passthrough models; `nil` means every provider.
    public var providers: [String]?
    public var role: Role
    public var team: String?
    public var clearance: DataClass

    public init(
        id: String, secret: SecretReference, useCases: [String]? = nil, providers: [String]? = nil, role: Role = .app,
        team: String? = nil, clearance: DataClass = .internal
    ) {
        self.id = id
        self.secret = secret
        self.useCases = useCases
        self.providers = providers
        self.role = role
        self.team = team
        self.clearance = clearance
    }
}

/// Where a secret lives. Secrets are never written inline in configuration files.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): return "env:\(name)"
        case .file(let path): return "file:\(path)"
        }
    }
}

/// Data classification, ordered from least to most sensitive.
public enum DataClass: String, Sendable, Hashable, CaseIterable, Comparable {
    case `public`, `internal`, confidential, restricted

    public static func < (lhs: DataClass, rhs: DataClass) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}


/// OpenTelemetry trace export.
public struct TracingSettings: Sendable, Hashable {
    /// Base URL of an OTLP/HTTP receiver, e.g. `http://127.0.0.1:4318`.
    public var otlpEndpoint: String
    /// Share of new traces (no sampled caller `traceparent`) that are exported, 0...1.
    public var sampleRatio: Double
    /// `service.name` resource attribute.
    public var serviceName: String
    /// Most spans kept waiting for export; beyond it new spans are dropped (and counted).
    public var maxQueuedSpans: Int

    public init(otlpEndpoint: String, sampleRatio: Double = 1, serviceName: String = "gatehouse", maxQueuedSpans: Int = 8192) {
        self.otlpEndpoint = otlpEndpoint
        self.sampleRatio = sampleRatio
        self.serviceName = serviceName
        self.maxQueuedSpans = maxQueuedSpans
    }
}
