import History
import SQLiteDB

/// Writes claim versions into the history. A stored version is removed claim by claim (its events
/// first, then the claim, whose lines, diagnoses and line categories cascade); the file's new
/// versions are then stored set-based from the stage: headers from each claim's lowest-numbered
/// line, diagnoses unpacked from its JSON array, dx events by joining the value sets.
final class ClaimWriter {
    private let db: Connection
    private let loadID: Int64
    private let findMember, deleteEvents, deleteClaim, upsertVoid, memberChanged: Statement

    init(db: Connection, loadID: Int64) throws {
        self.db = db
        self.loadID = loadID
        findMember = try db.prepare("SELECT member_id FROM claim WHERE claim_id = ?")
        deleteEvents = try db.prepare("DELETE FROM dx_event WHERE member_id = ? AND claim_id = ?")
        deleteClaim = try db.prepare("DELETE FROM claim WHERE claim_id = ?")
        memberChanged = try db.prepare("INSERT OR IGNORE INTO member_change(load_id, member_id) VALUES (?, ?)")
        upsertVoid = try db.prepare("""
            INSERT INTO claim_void(claim_id, load_id) VALUES (?, ?)
            ON CONFLICT (claim_id) DO UPDATE SET load_id = excluded.load_id
            """)
    }

    /// Removes the stored version of a claim; returns whether there was one.
    func remove(claimID: String) throws -> Bool {
        findMember.bind(claimID, at: 1)
        guard try findMember.step() else { findMember.reset(); return false }
        let member = findMember.text(0)
        findMember.reset()
        deleteEvents.bind(member, at: 1)
        deleteEvents.bind(claimID, at: 2)
        try deleteEvents.run()
        deleteClaim.bind(claimID, at: 1)
        try deleteClaim.run()
        memberChanged.bind(loadID, at: 1)
        memberChanged.bind(member, at: 2)
        try memberChanged.run()
        return true
    }

    func recordVoid(claimID: String) throws {
        upsertVoid.bind(claimID, at: 1)
        upsertVoid.bind(loadID, at: 2)
        try upsertVoid.run()
    }

    /// Stores every claim left in the stage (their old versions are already removed): header,
    /// diagnoses and dx events. Returns the number of claims stored.
    func storeStagedClaims() throws -> Int {
        // One scan in key order; with a single min(), SQLite takes the bare columns from that row.
        // The event insert's CROSS JOINs fix the join order (claims outer, the value-set index
        // inner); left to itself the planner may scan the value sets outside, which is quadratic.
        try db.execute("""
            DROP TABLE IF EXISTS temp.claim_head;
            CREATE TEMP TABLE claim_head AS
            SELECT claim_id, min(line_number) AS line_number, claim_type, member_id, start_day, end_day, dx_type, dx,
                frequency, payer, plan, data_source, file_name, file_date
            FROM claim_stage GROUP BY claim_id;
            """)
        try db.run("""
            INSERT INTO claim(claim_id, claim_type, member_id, start_day, end_day, dx_code_type, frequency_code,
                payer, plan, data_source, file_name, file_date, load_id)
            SELECT claim_id, claim_type, member_id, start_day, end_day, dx_type, frequency, payer, plan, data_source,
                file_name, file_date, ?
            FROM claim_head ORDER BY claim_id
            """, [.integer(loadID)])
        let stored = db.changes
        try db.execute("""
            INSERT INTO claim_diagnosis(claim_id, position, code)
            SELECT h.claim_id, d.key + 1, d.value FROM claim_head h, json_each(h.dx) d
            WHERE d.value <> '' ORDER BY h.claim_id, d.key;
            INSERT INTO dx_event(member_id, category, day, claim_id, position, code)
            SELECT h.member_id, v.value_set, h.start_day, h.claim_id, d.position, d.code
            FROM claim_head h
            CROSS JOIN claim_diagnosis d ON d.claim_id = h.claim_id
            CROSS JOIN value_set_code v ON v.code_system = 'ICD10CM' AND v.code = d.code
            WHERE h.dx_type = 'icd-10-cm';
            """)
        try db.run("INSERT OR IGNORE INTO member_change(load_id, member_id) SELECT DISTINCT ?, member_id FROM claim_head",
                   [.integer(loadID)])
        try db.execute("DROP TABLE temp.claim_head")
        return stored
    }

    /// Adds `line_category` rows for the staged lines whose codes are in a procedure or revenue value set.
    func insertLineCategories() throws {
        let insert = try db.prepare("INSERT OR IGNORE INTO line_category(claim_id, line_number, category) VALUES (?, ?, ?)")
        try db.forEach("SELECT claim_id, line_number, categories FROM claim_stage WHERE categories IS NOT NULL") { row in
            for category in row.text(2).split(separator: "\u{1F}") {
                insert.bind(row.text(0), at: 1)
                insert.bind(row.int(1), at: 2)
                insert.bind(String(category), at: 3)
                try insert.run()
            }
        }
    }
}
