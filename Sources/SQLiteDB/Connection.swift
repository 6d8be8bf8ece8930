import CSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to a SQLite database file.
///
/// Not `Sendable`: a connection and its statements belong to one thread at a time, as SQLite's
/// own objects do. Prepared statements are cached per connection by their SQL text.
public final class Connection {
    /// How a connection opens its file.
    public enum Mode: Sendable {
        /// Read and write; the file is created (owner-only) when missing.
        case readWriteCreate
        /// Read and write; the file must exist.
        case readWrite
        /// Read only; the file must exist.
        case readOnly
    }

    let handle: OpaquePointer
    /// The path the connection was opened with.
    public let path: String
    private var cache: [String: Statement] = [:]

    /// Opens (and, in `.readWriteCreate` mode, creates with permissions 0600) a database file.
    ///
    /// - Throws: `SQLiteError` when the file cannot be opened or is not a database, or when the
    ///   system's SQLite is older than `SQLiteRequirements.minimumVersion` (nothing is created).
    public init(path: String, mode: Mode = .readWriteCreate, busyTimeoutMilliseconds: Int32 = 5_000) throws {
        try SQLiteRequirements.check()
        if mode == .readWriteCreate, path != ":memory:", !path.isEmpty {
            try Connection.createOwnerOnly(path)
        }
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX
        switch mode {
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open database"
            let code = db.map { sqlite3_extended_errcode($0) } ?? rc
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(extendedCode: code, message: message)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    private var busyWait: BusyWait?

    /// Waits up to `milliseconds` for another connection's lock before a statement fails with
    /// SQLITE_BUSY, calling `onWait` once when a wait begins (to tell a user on a terminal).
    public func waitForLocks(upTo milliseconds: Int64, onWait: (() -> Void)? = nil) {
        let wait = BusyWait(limitMilliseconds: milliseconds, onWait: onWait)
        busyWait = wait
        sqlite3_busy_handler(handle, { context, attempt in
            guard let context else { return 0 }
            return Unmanaged<BusyWait>.fromOpaque(context).takeUnretainedValue().retry(attempt: attempt) ? 1 : 0
        }, Unmanaged.passUnretained(wait).toOpaque())
    }

    deinit {
        sqlite3_busy_handler(handle, nil, nil)
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Creates an empty file readable and writable by its owner only, unless it exists.
    private static func createOwnerOnly(_ path: String) throws {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd); return }
        let code = errno
        if code == EEXIST { return }
        throw SQLiteError(extendedCode: SQLITE_CANTOPEN, message: "cannot create the database file: \(String(cString: strerror(code)))")
    }

    // MARK: Statements

    /// Prepares a statement for one use.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(connection: self, sql: sql, persistent: false)
    }

    /// Returns a prepared statement cached on this connection, reset and ready to bind.
    public func cached(_ sql: String) throws -> Statement {
        if let statement = cache[sql] {
            statement.reset()
            return statement
        }
        let statement = try Statement(connection: self, sql: sql, persistent: true)
        cache[sql] = statement
        return statement
    }

    /// Runs one or more SQL statements that take no parameters.
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Runs a statement with boxed parameters and no rows to return.
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws {
        let statement = try cached(sql)
        statement.bind(values)
        try statement.run()
    }

    /// The first column of the first row, as an integer (nil when there is no row or it is NULL).
    public func scalarInt(_ sql: String, _ values: [SQLiteValue] = []) throws -> Int64? {
        let statement = try cached(sql)
        defer { statement.reset() }
        statement.bind(values)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// The first column of the first row, as text (nil when there is no row or it is NULL).
    public func scalarText(_ sql: String, _ values: [SQLiteValue] = []) throws -> String? {
        let statement = try cached(sql)
        defer { statement.reset() }
        statement.bind(values)
        guard try statement.step() else { return nil }
        return statement.optionalText(0)
    }

    /// Runs a query and calls `row` for each result row.
    public func forEach(_ sql: String, _ values: [SQLiteValue] = [], _ row: (Statement) throws -> Void) throws {
        let statement = try cached(sql)
        defer { statement.reset() }
        statement.bind(values)
        while try statement.step() { try row(statement) }
    }

    // MARK: State

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    /// (`sqlite3_changes`, which SQLite 3.33.0 has; see `SQLiteRequirements`.)
    public var changes: Int { Int(sqlite3_changes(handle)) }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Whether the database was opened read-only.
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

@available(*, unavailable)
extension Connection: Sendable {}

/// The state of a busy wait: when it began, and whether the user was told.
private final class BusyWait {
    let limitMilliseconds: Int64
    let onWait: (() -> Void)?
    private var startedAt: Int64 = 0

    init(limitMilliseconds: Int64, onWait: (() -> Void)?) {
        self.limitMilliseconds = limitMilliseconds
        self.onWait = onWait
    }

    /// Whether to try again after a short sleep (SQLite counts `attempt` from 0 for each lock wait).
    func retry(attempt: Int32) -> Bool {
        let now = Self.milliseconds()
        if attempt == 0 {
            startedAt = now
            onWait?()
        }
        let left = limitMilliseconds - (now - startedAt)
        guard left > 0 else { return false }
        usleep(useconds_t(min(left, attempt < 10 ? 5 : 50) * 1000))
        return true
    }

    private static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
