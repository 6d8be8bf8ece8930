import SQLiteDB

extension LoadLedger {
    /// The most recent entry of the ledger in `db` (highest load id), or nil when nothing was loaded.
    public static func latest(in db: Connection) throws -> LedgerEntry? {
        var found: LedgerEntry?
        try db.forEach("""
            SELECT load_id, kind, file_name, file_size, sha256, rows_read, rows_loaded, rows_rejected, warnings,
                claims_stored, claims_replaced, claims_voided, loaded_at
            FROM load_ledger ORDER BY load_id DESC LIMIT 1
            """) { row in
            found = LedgerEntry(
                loadID: row.int64(0), kind: row.text(1), fileName: row.text(2), fileSize: row.int64(3), sha256: row.text(4),
                rowsRead: row.int(5), rowsLoaded: row.int(6), rowsRejected: row.int(7), warnings: row.int(8),
                claimsStored: row.int(9), claimsReplaced: row.int(10), claimsVoided: row.int(11), loadedAt: row.text(12))
        }
        return found
    }
}
