import Core
import Foundation
import GRDB
import Synchronization

/// The embedded store: one SQLite file in WAL mode, shared by every store port it implements.
///
/// WAL lets readers (dashboard, reports) run while the ledger writes; GRDB's pool serialises writers.
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    public let path: String
    /// Seals audit events; `nil` in tools and tests that never write the audit log (appends then fail).
    public let auditSealer: AuditSealer?
    /// The audit log's head, written after each append, outside the database: deleting the newest
    /// events from the file cannot go unnoticed.
    public var auditAnchorPath: String { path + ".audit-head" }
    /// Ledger batches come one per request at low concurrency, and rewriting the anchor file after
    /// each cost more than the batch itself (the file is replaced atomically, with a sync). After a
    /// ledger batch the anchor is rewritten at most once a second (the newest head waits, then is
    /// written by a short task); admin events, `verifyAudit` and the ledger writer's shutdown write it
    /// at once. Deleting the newest events of the last second before a crash could go unnoticed.
    let anchorThrottle = Mutex(AnchorThrottle())
    /// Where throttled anchor writes run (see `writeAnchorSoon`).
    let anchorQueue = DispatchQueue(label: "gatehouse.audit-anchor")
    static let anchorInterval: Duration = .seconds(1)

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    public init(path: String, auditSealer: AuditSealer? = nil) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Deleted and overwritten content is zeroed, so an erased payload does not linger in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        self.auditSealer = auditSealer
        try SQLiteMigrations.migrator.migrate(pool)
    }

    /// Names of the migrations applied so far, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try SQLiteMigrations.migrator.appliedMigrations(db) }
    }

    /// A row the database will never accept (a duplicate id), as opposed to a transient failure.
    static func isConstraintViolation(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT
    }

    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}

struct AnchorThrottle {
    var pending: AuditAnchor?
    var lastWrite: ContinuousClock.Instant?
    var writtenSequence: Int64 = -1
    var scheduled = false
}
