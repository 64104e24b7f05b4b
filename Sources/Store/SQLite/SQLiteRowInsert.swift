import GRDB
import GRDBSQLite

/// One execution of a prepared INSERT whose values are bound straight through SQLite's C API.
///
/// The ledger writes two rows per request (the invocation and its audit summary). Going through
/// GRDB's `StatementArguments` boxed every value in an existential and copied every string before
/// binding: a fifth of the writer thread's time. Values here go from the Swift string or number to
/// SQLite (which copies text once), and the statement is reset and its bindings cleared after each
/// row, so GRDB finds it as it left it when it uses the same cached statement.
///
/// Must run on the database's writer thread (inside `pool.write`), like every GRDB statement.
struct SQLiteRowInsert: ~Copyable {
    /// Held so that `handle` outlives this row (GRDB finalises the statement when it is released).
    private let statement: Statement
    private let handle: OpaquePointer
    private var index: Int32 = 0

    init(_ statement: Statement) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// SQLite copies text bound with this destructor before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: String?) {
        index += 1
        guard let value else { return }  // cleared bindings are NULL
        var text = value
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient) }
            } else {
                // An empty text, not NULL.
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
        }
    }

    mutating func bind(_ value: Int?) {
        index += 1
        guard let value else { return }
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    /// As GRDB stores it: 1 or 0.
    mutating func bind(_ value: Bool) {
        bind(value ? 1 : 0)
    }

    mutating func bind(_ value: Double?) {
        index += 1
        guard let value else { return }
        sqlite3_bind_double(handle, index, value)
    }

    /// Runs the statement once with the values bound, then resets it. Throws GRDB's `DatabaseError`
    /// (constraint violations included) with SQLite's message, as `Statement.execute` would.
    consuming func run() throws {
        precondition(index == sqlite3_bind_parameter_count(handle), "bound \(index) of \(sqlite3_bind_parameter_count(handle)) values")
        let code = sqlite3_step(handle)
        let message = code == SQLITE_DONE ? nil : sqlite3_db_handle(handle).flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }
}
