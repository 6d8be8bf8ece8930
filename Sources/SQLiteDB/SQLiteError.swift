import CSQLite

/// An error reported by SQLite.
///
/// Carries the extended result code, SQLite's message and the SQL text of the statement (our own
/// text, never built from input). Bound values are never part of it: member data stays out of
/// error descriptions and logs.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, ...).
    public let extendedCode: Int32
    /// SQLite's own message for the failure.
    public let message: String
    /// The statement that failed, if any.
    public let sql: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended code).
    public var code: Int32 { extendedCode & 0xFF }

    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    public var isReadOnly: Bool { code == SQLITE_READONLY }
    public var isFull: Bool { code == SQLITE_FULL }
    public var isCorrupt: Bool { code == SQLITE_CORRUPT || code == SQLITE_NOTADB }
    public var cannotOpen: Bool { code == SQLITE_CANTOPEN }
    public var isIOError: Bool { code == SQLITE_IOERR }
    /// A row's primary key or a unique index's key is already in the table.
    public var isKeyViolation: Bool {
        // SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE (C macros Swift does not import).
        code == SQLITE_CONSTRAINT && (extendedCode >> 8 == 6 || extendedCode >> 8 == 8)
    }

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " (while running: \(sql.prefix(200)))" }
        return text
    }
}
