import SQLiteDB

/// The load's working table: one file's accepted claim rows, keyed by (claim_id, line_number), in
/// the connection's TEMP database. Loaders bind rows to `insert`'s numbered parameters; the
/// `ClaimStore` then applies the stage to the history.
public enum ClaimStage {
    /// The parameter numbers of `insert` (unbound parameters are NULL).
    public enum Column: Int32, Sendable {
        case claimID = 1, lineNumber, sourceLine, claimType, memberID, startDay, endDay, lineStartDay, hcpcs
        case modifier1, modifier2, modifier3, modifier4, modifier5, revenue, billType, placeOfService
        /// `icd-10-cm` or `icd-9-cm`.
        case dxType
        /// The normalised diagnoses by position, as a JSON array of strings.
        case diagnoses
        case frequency, payer, plan, paid, charge, dataSource, fileName, fileDate
    }

    /// Creates (or empties) the stage and the claim-level working tables.
    public static func create(_ db: Connection) throws {
        try db.execute("""
            DROP TABLE IF EXISTS temp.claim_stage;
            CREATE TEMP TABLE claim_stage(
                claim_id TEXT NOT NULL, line_number INTEGER NOT NULL, source_line INTEGER NOT NULL,
                claim_type TEXT NOT NULL, member_id TEXT NOT NULL, start_day INTEGER NOT NULL, end_day INTEGER,
                line_start_day INTEGER, hcpcs TEXT, modifier_1 TEXT, modifier_2 TEXT, modifier_3 TEXT, modifier_4 TEXT,
                modifier_5 TEXT, revenue TEXT, bill_type TEXT, place_of_service TEXT, dx_type TEXT NOT NULL,
                dx TEXT NOT NULL, frequency TEXT, payer TEXT, plan TEXT, paid TEXT, charge TEXT, data_source TEXT,
                file_name TEXT, file_date TEXT,
                PRIMARY KEY (claim_id, line_number)) WITHOUT ROWID;
            DROP TABLE IF EXISTS temp.claim_dropped;
            CREATE TEMP TABLE claim_dropped(claim_id TEXT PRIMARY KEY) WITHOUT ROWID;
            DROP TABLE IF EXISTS temp.claim_cross_reject;
            CREATE TEMP TABLE claim_cross_reject(source_line INTEGER PRIMARY KEY, column_name TEXT, message TEXT);
            """)
    }

    /// The rows of claims rejected whole (rows that disagree on a header field), by source line:
    /// (source line, column, message).
    public static func forEachRejectedRow(_ db: Connection, _ body: (Int, String, String) throws -> Void) throws {
        try db.forEach("SELECT source_line, column_name, message FROM claim_cross_reject ORDER BY source_line") {
            try body($0.int(0), $0.text(1), $0.text(2))
        }
    }

    /// Drops the working tables.
    public static func drop(_ db: Connection) throws {
        try db.execute("""
            DROP TABLE IF EXISTS temp.claim_stage; DROP TABLE IF EXISTS temp.claim_dropped;
            DROP TABLE IF EXISTS temp.claim_cross_reject;
            """)
    }

    /// Inserts one row; a row whose (claim_id, line_number) is already staged changes nothing
    /// (`db.changes == 0`: the caller rejects it as a duplicate).
    public static func insert(_ db: Connection) throws -> Statement {
        try db.cached("""
            INSERT OR IGNORE INTO claim_stage VALUES
            (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
             ?23, ?24, ?25, ?26, ?27)
            """)
    }
}
