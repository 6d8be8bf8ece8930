import SQLiteDB

/// One extract file recorded in the load ledger.
public struct LedgerEntry: Sendable, Equatable, Codable {
    public var loadID: Int64
    public var kind: String
    public var fileName: String
    public var fileSize: Int64
    public var sha256: String
    public var rowsRead: Int
    public var rowsLoaded: Int
    public var rowsRejected: Int
    public var warnings: Int
    public var claimsStored: Int
    public var claimsReplaced: Int
    public var claimsVoided: Int
    public var loadedAt: String

    public init(loadID: Int64, kind: String, fileName: String, fileSize: Int64, sha256: String, rowsRead: Int,
                rowsLoaded: Int, rowsRejected: Int, warnings: Int, claimsStored: Int, claimsReplaced: Int,
                claimsVoided: Int, loadedAt: String) {
        self.loadID = loadID
        self.kind = kind
        self.fileName = fileName
        self.fileSize = fileSize
        self.sha256 = sha256
        self.rowsRead = rowsRead
        self.rowsLoaded = rowsLoaded
        self.rowsRejected = rowsRejected
        self.warnings = warnings
        self.claimsStored = claimsStored
        self.claimsReplaced = claimsReplaced
        self.claimsVoided = claimsVoided
        self.loadedAt = loadedAt
    }
}

/// The record of every extract file loaded: name, size, SHA-256, counts and time. Every stored row
/// carries the `load_id` of the entry it came from.
public struct LoadLedger {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    private static let columns = """
        load_id, kind, file_name, file_size, sha256, rows_read, rows_loaded, rows_rejected, warnings,
        claims_stored, claims_replaced, claims_voided, loaded_at
        """

    /// The entry of a file with the same kind and bytes, if one was loaded.
    public func find(kind: String, sha256: String) throws -> LedgerEntry? {
        var found: LedgerEntry?
        try db.forEach("SELECT \(Self.columns) FROM load_ledger WHERE kind = ? AND sha256 = ?", [.text(kind), .text(sha256)]) {
            found = Self.entry($0)
        }
        return found
    }

    /// The newest entry, if any file was loaded.
    public func latest() throws -> LedgerEntry? {
        var found: LedgerEntry?
        try db.forEach("SELECT \(Self.columns) FROM load_ledger ORDER BY load_id DESC LIMIT 1") { found = Self.entry($0) }
        return found
    }

    /// The newest ledger id (0 when nothing was loaded).
    public func latestID() throws -> Int64 {
        try db.scalarInt("SELECT coalesce(max(load_id), 0) FROM load_ledger") ?? 0
    }

    /// Every entry, oldest first.
    public func all() throws -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        try db.forEach("SELECT \(Self.columns) FROM load_ledger ORDER BY load_id") { entries.append(Self.entry($0)) }
        return entries
    }

    /// Whether an entry of this kind records a file of this size (only such a file can be one
    /// already loaded: then it is worth hashing before it is parsed).
    public func hasEntry(kind: String, fileSize: Int64) throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM load_ledger WHERE kind = ? AND file_size = ?)",
                         [.text(kind), .integer(fileSize)]) == 1
    }

    /// Records a file about to be loaded (inside the load's transaction) and returns its load id.
    /// Its size and SHA-256, computed while the file is read, are stored by `finish`.
    public func begin(kind: String, fileName: String, loadedAt: String) throws -> Int64 {
        // A placeholder no finished entry has; one load writes at a time, so it stays unique.
        try db.run(
            "INSERT INTO load_ledger(kind, file_name, file_size, sha256, loaded_at) VALUES (?, ?, 0, 'pending', ?)",
            [.text(kind), .text(fileName), .text(loadedAt)])
        return db.lastInsertRowID
    }

    /// Stores the final counts, size and SHA-256 of a load.
    public func finish(_ entry: LedgerEntry) throws {
        try db.run("""
            UPDATE load_ledger SET file_size = ?, sha256 = ?, rows_read = ?, rows_loaded = ?, rows_rejected = ?,
                warnings = ?, claims_stored = ?, claims_replaced = ?, claims_voided = ? WHERE load_id = ?
            """,
            [.integer(entry.fileSize), .text(entry.sha256), .integer(Int64(entry.rowsRead)),
             .integer(Int64(entry.rowsLoaded)), .integer(Int64(entry.rowsRejected)), .integer(Int64(entry.warnings)),
             .integer(Int64(entry.claimsStored)), .integer(Int64(entry.claimsReplaced)),
             .integer(Int64(entry.claimsVoided)), .integer(entry.loadID)])
    }

    private static func entry(_ row: Statement) -> LedgerEntry {
        LedgerEntry(
            loadID: row.int64(0), kind: row.text(1), fileName: row.text(2), fileSize: row.int64(3), sha256: row.text(4),
            rowsRead: row.int(5), rowsLoaded: row.int(6), rowsRejected: row.int(7), warnings: row.int(8),
            claimsStored: row.int(9), claimsReplaced: row.int(10), claimsVoided: row.int(11), loadedAt: row.text(12))
    }
}
