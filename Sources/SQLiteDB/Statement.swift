import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// A prepared statement. Owns its `sqlite3_stmt`: prepared in `init`, finalized in `deinit`.
///
/// Values are bound by position (1-based) with typed `bind` calls so the hot path never boxes a
/// value; columns are read by position (0-based).
public final class Statement {
    let handle: OpaquePointer
    /// The SQL text this statement was prepared from.
    public let sql: String
    private unowned let connection: Connection

    init(connection: Connection, sql: String, persistent: Bool) throws {
        var stmt: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, flags, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw connection.error(rc, sql: sql)
        }
        self.handle = stmt
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    public func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(handle, index, value)
    }

    public func bind(_ value: Int, at index: Int32) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    public func bind(_ value: Int32?, at index: Int32) {
        if let value { sqlite3_bind_int64(handle, index, Int64(value)) } else { sqlite3_bind_null(handle, index) }
    }

    public func bind(_ value: Double, at index: Int32) {
        sqlite3_bind_double(handle, index, value)
    }

    public func bind(_ value: String?, at index: Int32) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        var copy = value
        copy.withUTF8 { bindText($0, at: index) }
    }

    /// Binds UTF-8 bytes as text (SQLite copies them). An empty buffer binds the empty string.
    public func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) {
        if let base = bytes.baseAddress {
            sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), csqlite_transient())
        } else {
            sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
        }
    }

    /// Binds UTF-8 bytes as text without copying them: the bytes must stay valid and unchanged
    /// until the statement has been stepped and reset (the loaders bind straight from the reader's
    /// buffer and run the statement before reading on).
    public func bindTextNoCopy(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) {
        if let base = bytes.baseAddress {
            sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        } else {
            sqlite3_bind_text(handle, index, "", 0, nil)
        }
    }

    /// Whether the text of `column` equals `bytes` (no String is made).
    public func textEquals(_ column: Int32, _ other: String) -> Bool {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let raw = sqlite3_column_text(handle, column) else { return other.isEmpty }
        var copy = other
        return copy.withUTF8 { $0.count == count && (count == 0 || memcmp($0.baseAddress!, raw, count) == 0) }
    }

    public func bindNull(at index: Int32) {
        sqlite3_bind_null(handle, index)
    }

    /// Binds values in order, starting at parameter 1. For cold paths only: it boxes each value.
    public func bind(_ values: [SQLiteValue]) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(handle, index)
            case .integer(let v): sqlite3_bind_int64(handle, index, v)
            case .real(let v): sqlite3_bind_double(handle, index, v)
            case .text(let v): bind(v, at: index)
            }
        }
    }

    // MARK: Stepping

    /// Advances the statement: `true` when a row is available, `false` when done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Resets the statement for another run and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Runs a statement that returns no rows, then resets it.
    public func run() throws {
        defer { reset() }
        while try step() {}
    }

    /// Runs a statement that returns no rows, then resets it without clearing its bindings: for a
    /// caller that binds every parameter before each run (clearing hundreds costs a pass over them).
    public func runRebindingAll() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    // MARK: Columns

    public func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    public func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    public func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    public func int32(_ column: Int32) -> Int32 {
        Int32(truncatingIfNeeded: sqlite3_column_int64(handle, column))
    }

    public func optionalInt32(_ column: Int32) -> Int32? {
        isNull(column) ? nil : int32(column)
    }

    public func double(_ column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    /// The column as text; the empty string for NULL.
    public func text(_ column: Int32) -> String {
        guard let raw = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: raw, count: count), as: UTF8.self)
    }

    public func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }

    /// The column's value, boxed. For cold paths (digests, generic dumps).
    public func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(int64(column))
        case SQLITE_FLOAT: return .real(double(column))
        default: return .text(text(column))
        }
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }
}

@available(*, unavailable)
extension Statement: Sendable {}
