import History
import SQLiteDB

/// Writes one claim version into the history: header, diagnoses and the dx events derived from
/// them; removes a stored version (its events first, then the claim, whose lines, diagnoses and
/// line categories cascade). Statements are prepared once per load.
final class ClaimWriter {
    private let db: Connection
    private let loadID: Int64
    /// Diagnosis code → value sets.
    private let diagnosisCategories: [String: [String]]
    private let findMember, deleteEvents, deleteClaim, upsertVoid, insertClaim, insertDiagnosis, insertEvent: Statement

    init(db: Connection, loadID: Int64, diagnosisCategories: [String: [String]]) throws {
        self.db = db
        self.loadID = loadID
        self.diagnosisCategories = diagnosisCategories
        findMember = try db.prepare("SELECT member_id FROM claim WHERE claim_id = ?")
        deleteEvents = try db.prepare("DELETE FROM dx_event WHERE member_id = ? AND claim_id = ?")
        deleteClaim = try db.prepare("DELETE FROM claim WHERE claim_id = ?")
        upsertVoid = try db.prepare("""
            INSERT INTO claim_void(claim_id, load_id) VALUES (?, ?)
            ON CONFLICT (claim_id) DO UPDATE SET load_id = excluded.load_id
            """)
        insertClaim = try db.prepare("""
            INSERT INTO claim(claim_id, claim_type, member_id, start_day, end_day, dx_code_type, frequency_code,
                payer, plan, data_source, file_name, file_date, load_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertDiagnosis = try db.prepare("INSERT INTO claim_diagnosis(claim_id, position, code) VALUES (?, ?, ?)")
        insertEvent = try db.prepare("""
            INSERT INTO dx_event(member_id, category, day, claim_id, position, code) VALUES (?, ?, ?, ?, ?, ?)
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
        return true
    }

    func recordVoid(claimID: String) throws {
        upsertVoid.bind(claimID, at: 1)
        upsertVoid.bind(loadID, at: 2)
        try upsertVoid.run()
    }

    func store(_ header: ClaimHeader) throws {
        let claim = insertClaim
        claim.bind(header.claimID, at: 1)
        claim.bind(header.claimType, at: 2)
        claim.bind(header.memberID, at: 3)
        claim.bind(Int64(header.startDay), at: 4)
        claim.bind(header.endDay, at: 5)
        claim.bind(header.dxType, at: 6)
        claim.bind(header.frequency, at: 7)
        claim.bind(header.payer, at: 8)
        claim.bind(header.plan, at: 9)
        claim.bind(header.dataSource, at: 10)
        claim.bind(header.fileName, at: 11)
        claim.bind(header.fileDate, at: 12)
        claim.bind(loadID, at: 13)
        try claim.run()

        let derivesEvents = header.dxType == "icd-10-cm"
        for (position, code) in header.diagnoses {
            insertDiagnosis.bind(header.claimID, at: 1)
            insertDiagnosis.bind(position, at: 2)
            insertDiagnosis.bind(code, at: 3)
            try insertDiagnosis.run()
            guard derivesEvents, let categories = diagnosisCategories[code] else { continue }
            for category in categories {
                insertEvent.bind(header.memberID, at: 1)
                insertEvent.bind(category, at: 2)
                insertEvent.bind(Int64(header.startDay), at: 3)
                insertEvent.bind(header.claimID, at: 4)
                insertEvent.bind(position, at: 5)
                insertEvent.bind(code, at: 6)
                try insertEvent.run()
            }
        }
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
