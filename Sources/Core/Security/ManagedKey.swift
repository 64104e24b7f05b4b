import Foundation

/// A salted digest of a key secret. The store keeps only this; the secret is shown once at creation.
public struct SecretDigest: Sendable, Hashable {
    public var salt: [UInt8]
    public var digest: [UInt8]

    public init(salt: [UInt8], digest: [UInt8]) {
        self.salt = salt
        self.digest = digest
    }
}

/// An API key managed in the store (`gatehouse keys ...` or the admin API).
public struct ManagedKey: Sendable, Hashable {
    /// Public identifier, part of the presented token (`ghk_<id>_<secret>`); safe to log.
    public var id: String
    public var name: String
    public var role: Role
    /// Use cases in scope; `nil` means every use case.
    public var useCases: [String]?
    /// Providers reachable by passthrough; `nil` means every provider.
    public var providers: [String]?
    public var team: String?
    public var clearance: DataClass
    public var createdAt: Date
    public var createdBy: String?
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var secret: SecretDigest
    /// The secret replaced by the last rotation, accepted until `previousSecretValidUntil`.
    public var previousSecret: SecretDigest?
    public var previousSecretValidUntil: Date?
    public var rotatedAt: Date?

    public init(
        id: String, name: String, role: Role, useCases: [String]?, providers: [String]?, team: String?,
        clearance: DataClass, createdAt: Date, createdBy: String?, expiresAt: Date?, revokedAt: Date? = nil,
        secret: SecretDigest, previousSecret: SecretDigest? = nil, previousSecretValidUntil: Date? = nil,
        rotatedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.useCases = useCases
        self.providers = providers
        self.team = team
        self.clearance = clearance
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.secret = secret
        self.previousSecret = previousSecret
        self.previousSecretValidUntil = previousSecretValidUntil
        self.rotatedAt = rotatedAt
    }

    public enum Status: String, Sendable { case active, expired, revoked }

    public func status(at now: Date) -> Status {
        if revokedAt.map({ $0 <= now }) ?? false { return .revoked }
        if expiresAt.map({ $0 <= now }) ?? false { return .expired }
        return .active
    }

    public var principal: Principal {
        Principal(
            keyID: id, role: role, useCases: useCases.map(Set.init), providers: providers.map(Set.init), team: team,
            clearance: clearance)
    }

    /// What listing shows: everything but the digests.
    public var summary: [String: JSONValue] {
        func date(_ value: Date?) -> JSONValue { value.map { .string($0.formatted(.iso8601)) } ?? .null }
        return [
            "id": .string(id), "name": .string(name), "role": .string(role.rawValue),
            "use_cases": useCases.map { .array($0.map(JSONValue.string)) } ?? .null,
            "providers": providers.map { .array($0.map(JSONValue.string)) } ?? .null,
            "team": team.map(JSONValue.string) ?? .null, "clearance": .string(clearance.rawValue),
            "created_at": date(createdAt), "created_by": createdBy.map(JSONValue.string) ?? .null,
            "expires_at": date(expiresAt), "revoked_at": date(revokedAt), "rotated_at": date(rotatedAt),
            "previous_secret_valid_until": date(previousSecretValidUntil),
            "status": .string(status(at: Date()).rawValue),
        ]
    }
}

/// Managed keys. Every change is written with its audit event in one transaction, so a key never
/// changes without a trace.
public protocol KeyStore: Sendable {
    func insertKey(_ key: ManagedKey, audit: AuditEventDraft) async throws
    func updateKey(_ key: ManagedKey, audit: AuditEventDraft) async throws
    func key(id: String) async throws -> ManagedKey?
    func allKeys() async throws -> [ManagedKey]
}
