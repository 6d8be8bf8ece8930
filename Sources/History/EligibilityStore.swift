import SQLiteDB

/// Stores eligibility spans: the owner of `eligibility_span`. A span with the same (member,
/// start, payer, plan) as a stored one replaces it.
public final class EligibilityStore {
    /// The parameter numbers of `insert` and `replace`; optional fields left unbound are NULL,
    /// payer and plan are part of the key and are never NULL (bind "").
    public enum Column: Int32 {
        case memberID = 1, startDay, endDay, payer, plan, personID, birthDate, gender, dataSource, fileName, fileDate
        case loadID, sourceLine
    }

    private let db: Connection
    private let loadID: Int64
    /// Inserts a new span; changes nothing when its key is stored (then run `replace`).
    public let insert: Statement
    /// Replaces the stored span with the same key.
    public let replace: Statement

    public init(db: Connection, loadID: Int64) throws {
        self.db = db
        self.loadID = loadID
        insert = try db.cached("""
            INSERT INTO eligibility_span(member_id, start_day, end_day, payer, plan, person_id, birth_date, gender,
                data_source, file_name, file_date, load_id, source_line)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            ON CONFLICT (member_id, start_day, payer, plan) DO NOTHING
            """)
        replace = try db.cached("""
            UPDATE eligibility_span SET end_day = ?3, person_id = ?6, birth_date = ?7, gender = ?8, data_source = ?9,
                file_name = ?10, file_date = ?11, load_id = ?12, source_line = ?13
            WHERE member_id = ?1 AND start_day = ?2 AND payer = ?4 AND plan = ?5
            """)
    }

    /// Records every member whose spans this load stored or replaced (their decisions may change).
    public func recordChangedMembers() throws {
        try db.run("""
            INSERT OR IGNORE INTO member_change(load_id, member_id, from_day)
            SELECT load_id, member_id, min(start_day) FROM eligibility_span WHERE load_id = ? GROUP BY member_id
            """, [.integer(loadID)])
    }
}
