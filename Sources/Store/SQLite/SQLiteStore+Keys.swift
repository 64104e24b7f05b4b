import Core
import Foundation
import GRDB

extension SQLiteStore: KeyStore {
    public func insertKey(_ key: ManagedKey, audit: AuditEventDraft) async throws {
        let head = try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM api_keys WHERE name = ?", arguments: [key.name]) == true {
                throw KeyStoreError.duplicateName(key.name)
            }
            try db.execute(sql: Self.insertKeySQL, arguments: Self.keyArguments(key))
            return try self.appendAudit([audit], in: db)
        }
        writeAnchor(head)
    }

    public func updateKey(_ key: ManagedKey, audit: AuditEventDraft) async throws {
        let head = try await pool.write { db in
            try db.execute(sql: "DELETE FROM api_keys WHERE id = ?", arguments: [key.id])
            guard db.changesCount == 1 else { throw KeyStoreError.unknownKey(key.id) }
            try db.execute(sql: Self.insertKeySQL, arguments: Self.keyArguments(key))
            return try self.appendAudit([audit], in: db)
        }
        writeAnchor(head)
    }

    public func key(id: String) async throws -> ManagedKey? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.key(from:))
        }
    }

    public func allKeys() async throws -> [ManagedKey] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.key(from:))
        }
    }

    static let insertKeySQL = """
        INSERT INTO api_keys (id, name, role, use_cases, providers, team, clearance, created_at, created_by,
            expires_at, revoked_at, secret_salt, secret_digest, previous_salt, previous_digest,
            previous_valid_until, rotated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func keyArguments(_ key: ManagedKey) -> StatementArguments {
        [
            key.id, key.name, key.role.rawValue, key.useCases.map(json), key.providers.map(json), key.team,
            key.clearance.rawValue, timestamp(key.createdAt), key.createdBy, key.expiresAt.map(timestamp),
            key.revokedAt.map(timestamp), Data(key.secret.salt), Data(key.secret.digest),
            key.previousSecret.map { Data($0.salt) }, key.previousSecret.map { Data($0.digest) },
            key.previousSecretValidUntil.map(timestamp), key.rotatedAt.map(timestamp),
        ]
    }

    static func key(from row: Row) -> ManagedKey {
        func date(_ column: String) -> Date? { (row[column] as String?).map(parseTimestamp) }
        var previous: SecretDigest?
        if let salt = row["previous_salt"] as Data?, let digest = row["previous_digest"] as Data? {
            previous = SecretDigest(salt: Array(salt), digest: Array(digest))
        }
        return ManagedKey(
            id: row["id"], name: row["name"], role: Role(rawValue: row["role"]) ?? .app,
            useCases: decode(row["use_cases"]), providers: decode(row["providers"]), team: row["team"],
            clearance: DataClass(rawValue: row["clearance"]) ?? .public, createdAt: parseTimestamp(row["created_at"]),
            createdBy: row["created_by"], expiresAt: date("expires_at"), revokedAt: date("revoked_at"),
            secret: SecretDigest(salt: Array(row["secret_salt"] as Data), digest: Array(row["secret_digest"] as Data)),
            previousSecret: previous, previousSecretValidUntil: date("previous_valid_until"), rotatedAt: date("rotated_at"))
    }
}

public enum KeyStoreError: Error, CustomStringConvertible, Equatable {
    case duplicateName(String)
    case unknownKey(String)

    public var description: String {
        switch self {
        case .duplicateName(let name): "a key named '\(name)' already exists"
        case .unknownKey(let id): "no key with id '\(id)'"
        }
    }
}
