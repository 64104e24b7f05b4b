/// The whole validated configuration: server settings, providers, keys and use cases.
///
/// Built by the `Contract` module from `gatehouse.yaml` and the `usecases/` folder; swapped
/// atomically as one value, so a request never sees half of a reload.
public struct GatewayConfiguration: Sendable {
    public var server: ServerSettings
    public var providers: [ProviderConfiguration]
    public var apiKeys: [APIKeyConfiguration]
    public var useCases: [UseCase]
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

/// A caller's key as declared in the configuration. Only a reference to the secret is kept here.
public struct APIKeyConfiguration: Sendable, Hashable {
    public var id: String
    public var secret: SecretReference
    /// Use cases this key may invoke; `nil` means every use case.
    public var useCases: [String]?
    /// Providers this key may call directly through passthrough models; `nil` means every provider.
    public var providers: [String]?

    public init(id: String, secret: SecretReference, useCases: [String]? = nil, providers: [String]? = nil) {
        self.id = id
        self.secret = secret
        self.useCases = useCases
        self.providers = providers
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
