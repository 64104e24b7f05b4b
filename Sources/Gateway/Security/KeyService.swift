import Core
import Foundation
import Store

/// Who performs an administrative action, as the audit log records it.
public struct AuditActor: Sendable, Hashable {
    public var id: String
    public var team: String?

    public init(id: String, team: String? = nil) {
        self.id = id
        self.team = team
    }

    public init(principal: Principal) {
        self.init(id: principal.keyID, team: principal.team)
    }

    /// A local operator at the command line (the OS user name, when known).
    public static func commandLine(environment: [String: String] = ProcessInfo.processInfo.environment) -> AuditActor {
        AuditActor(id: "cli:" + (environment["USER"] ?? environment["LOGNAME"] ?? "unknown"))
    }
}

/// Creates, lists, rotates and revokes managed keys: one implementation behind `gatehouse keys` and the
/// admin API, each change written with its audit event in the same transaction.
public struct KeyService: Sendable {
    public struct CreateRequest: Sendable {
        public var name: String
        public var role: Role
        /// `nil` means every use case (admins, or `*` given explicitly).
        public var useCases: [String]?
        public var providers: [String]?
        public var team: String?
        public var clearance: DataClass
        /// `nil`: never expires.
        public var expiresIn: TimeInterval?

        public init(
            name: String, role: Role, useCases: [String]?, providers: [String]? = [], team: String? = nil,
            clearance: DataClass = .internal, expiresIn: TimeInterval? = 90 * 86_400
        ) {
            self.name = name
            self.role = role
            self.useCases = useCases
            self.providers = providers
            self.team = team
            self.clearance = clearance
            self.expiresIn = expiresIn
        }
    }

    /// A key and its token; the token exists only here, once.
    public struct Issued: Sendable {
        public var key: ManagedKey
        public var token: String
    }

    let store: SQLiteStore
    let configuration: GatewayConfiguration?
    let now: @Sendable () -> Date

    public init(store: SQLiteStore, configuration: GatewayConfiguration?, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.configuration = configuration
        self.now = now
    }

    public func create(_ request: CreateRequest, actor: AuditActor) async throws(GatewayError) -> Issued {
        try validate(request)
        let secret = APIKeyTokens.newSecret()
        let at = now()
        let key = ManagedKey(
            id: APIKeyTokens.newKeyID(), name: request.name, role: request.role,
            useCases: request.role == .admin ? nil : request.useCases, providers: request.role == .admin ? nil : request.providers,
            team: request.team, clearance: request.clearance, createdAt: at, createdBy: actor.id,
            expiresAt: request.expiresIn.map { at.addingTimeInterval($0) }, secret: APIKeyTokens.newDigest(secret: secret))
        try await write {
            try await store.insertKey(key, audit: audit(actor, "key.create", key, at: at, details: self.scopeDetails(key)))
        }
        return Issued(key: key, token: APIKeyTokens.token(keyID: key.id, secret: secret))
    }

    /// Creates the first admin key of a store; refused once an active admin key exists.
    public func bootstrapAdmin(name: String, actor: AuditActor) async throws(GatewayError) -> Issued {
        let keys = try await read { try await store.allKeys() }
        if keys.contains(where: { $0.role == .admin && $0.status(at: now()) == .active }) {
            throw GatewayError(
                status: 409, code: .init(rawValue: "conflict"),
                message: "An active admin key already exists; create further keys with it (keys create --role admin).")
        }
        return try await create(CreateRequest(name: name, role: .admin, useCases: nil, providers: nil, clearance: .restricted, expiresIn: nil), actor: actor)
    }

    /// A new secret; the old one keeps working until `grace` has passed (zero: it stops at once).
    public func rotate(id: String, grace: TimeInterval, actor: AuditActor) async throws(GatewayError) -> Issued {
        guard grace >= 0 else { throw GatewayError.invalidRequest("grace must not be negative", param: "grace") }
        var key = try await existingKey(id)
        let at = now()
        guard key.status(at: at) == .active else {
            throw GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "Key '\(id)' is \(key.status(at: at).rawValue); it cannot be rotated.")
        }
        let secret = APIKeyTokens.newSecret()
        key.previousSecret = grace > 0 ? key.secret : nil
        key.previousSecretValidUntil = grace > 0 ? at.addingTimeInterval(grace) : nil
        key.secret = APIKeyTokens.newDigest(secret: secret)
        key.rotatedAt = at
        let rotated = key
        try await write {
            try await store.updateKey(
                rotated, audit: audit(actor, "key.rotate", rotated, at: at, details: ["grace_seconds": .number(grace)]))
        }
        return Issued(key: rotated, token: APIKeyTokens.token(keyID: rotated.id, secret: secret))
    }

    /// Effective on the next request in every process: authentication reads the store each time.
    public func revoke(id: String, actor: AuditActor) async throws(GatewayError) -> ManagedKey {
        var key = try await existingKey(id)
        let at = now()
        if key.revokedAt != nil {
            throw GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "Key '\(id)' is already revoked.")
        }
        key.revokedAt = at
        let revoked = key
        try await write { try await store.updateKey(revoked, audit: audit(actor, "key.revoke", revoked, at: at)) }
        return revoked
    }

    public func list() async throws(GatewayError) -> [ManagedKey] {
        try await read { try await store.allKeys() }
    }

    // MARK: helpers

    func existingKey(_ id: String) async throws(GatewayError) -> ManagedKey {
        guard let key = try await read({ try await store.key(id: id) }) else {
            throw GatewayError(status: 404, code: .init(rawValue: "key_not_found"), message: "No key with id '\(id)'.", param: "id")
        }
        return key
    }

    func validate(_ request: CreateRequest) throws(GatewayError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !request.name.isEmpty, request.name.count <= 64, request.name.allSatisfy(allowed.contains) else {
            throw GatewayError.invalidRequest("name must be 1 to 64 letters, digits, '-', '_' or '.'", param: "name")
        }
        if request.role != .admin && request.useCases?.isEmpty ?? false {
            throw GatewayError.invalidRequest(
                "a \(request.role.rawValue) key needs at least one use case in scope (or '*' for all)", param: "use_cases")
        }
        if let configuration {
            for id in request.useCases ?? [] where configuration.useCase(id: id) == nil {
                throw GatewayError.invalidRequest("unknown use case '\(id)'", param: "use_cases")
            }
            for name in request.providers ?? [] where configuration.provider(named: name) == nil {
                throw GatewayError.invalidRequest("unknown provider '\(name)'", param: "providers")
            }
        }
        if let expiresIn = request.expiresIn, expiresIn <= 0 {
            throw GatewayError.invalidRequest("expiry must be in the future", param: "expires")
        }
    }

    func scopeDetails(_ key: ManagedKey) -> [String: JSONValue] {
        [
            "role": .string(key.role.rawValue), "clearance": .string(key.clearance.rawValue),
            "use_cases": key.useCases.map { .array($0.map(JSONValue.string)) } ?? .string("*"),
            "providers": key.providers.map { .array($0.map(JSONValue.string)) } ?? .string("*"),
            "expires_at": key.expiresAt.map { .string($0.formatted(.iso8601)) } ?? .null,
        ]
    }

    func audit(_ actor: AuditActor, _ action: String, _ key: ManagedKey, at: Date, details: [String: JSONValue] = [:]) -> AuditEventDraft {
        var details = details
        details["name"] = .string(key.name)
        return AuditEventDraft(at: at, actor: actor.id, actorTeam: actor.team, action: action, target: key.id, details: details)
    }

    func write(_ body: () async throws -> Void) async throws(GatewayError) {
        do {
            try await body()
        } catch let error as KeyStoreError {
            throw GatewayError(status: 409, code: .init(rawValue: "conflict"), message: "\(error.description.prefix(1).uppercased())\(error.description.dropFirst()).")
        } catch {
            throw GatewayError(status: 503, code: .init(rawValue: "store_unavailable"), message: "The store is unavailable: \(error)", retryAfterSeconds: 1)
        }
    }

    func read<T>(_ body: () async throws -> T) async throws(GatewayError) -> T {
        do {
            return try await body()
        } catch {
            throw GatewayError(status: 503, code: .init(rawValue: "store_unavailable"), message: "The store is unavailable: \(error)", retryAfterSeconds: 1)
        }
    }
}

/// `90d`, `12h`, `30m`, `45s`, or `never` (nil).
public enum DurationText {
    public static func parse(_ text: String) -> TimeInterval?? {
        if text == "never" || text == "none" { return .some(nil) }
        guard let unit = text.last, let number = Double(text.dropLast()), number >= 0 else { return nil }
        switch unit {
        case "d": return number * 86_400
        case "h": return number * 3_600
        case "m": return number * 60
        case "s": return number
        default: return nil
        }
    }
}
