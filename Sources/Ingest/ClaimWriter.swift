import History
import SQLiteDB

/// Writes one claim version into the history: header, diagnoses and the dx events derived from
/// them; removes a stored version (its events first, then the claim, whose lines, diagnoses and
/// line categories cascade).
struct ClaimWriter {
    let db: Connection
    let loadID: Int64
    /// Diagnosis code → value sets.
    let diagnosisCategories: [String: [String]]

    init(db: Connection, loadID: Int64, diagnosisCategories: [String: [String]]) throws {
        self.db = db
        self.loadID = loadID
        self.diagnosisCategories = diagnosisCategories
    }

    /// Removes the stored version of a claim; returns whether there was one.
    func remove(claimID: String) throws -> Bool {
        guard let member = try db.scalarText("SELECT member_id FROM claim WHERE claim_id = ?", [.text(claimID)]) else {
            return false
        }
        try db.run("DELETE FROM dx_event WHERE member_id = ? AND claim_id = ?", [.text(member), .text(claimID)])
        try db.run("DELETE FROM claim WHERE claim_id = ?", [.text(claimID)])
        return true
    }

    func recordVoid(claimID: String) throws {
        try db.run("""
            INSERT INTO claim_void(claim_id, load_id) VALUES (?, ?)
            ON CONFLICT (claim_id) DO UPDATE SET load_id = excluded.load_id
            """, [.text(claimID), .integer(loadID)])
    }

    func store(_ header: ClaimHeader) throws {
        try db.run("DELETE FROM claim_void WHERE claim_id = ?", [.text(header.claimID)])
        let claim = try db.cached("""
            INSERT INTO claim(claim_id, claim_type, member_id, start_day, end_day, dx_code_type, frequency_code,
                payer, plan, data_source, file_name, file_date, load_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
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

        let diagnosis = try db.cached("INSERT INTO claim_diagnosis(claim_id, position, code) VALUES (?, ?, ?)")
        let event = try db.cached("""
            INSERT INTO dx_event(member_id, category, day, claim_id, position, code) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let derivesEvents = header.dxType == "icd-10-cm"
        for (position, code) in header.diagnoses {
            diagnosis.bind(header.claimID, at: 1)
            diagnosis.bind(position, at: 2)
            diagnosis.bind(code, at: 3)
            try diagnosis.run()
            guard derivesEvents, let categories = diagnosisCategories[code] else { continue }
            for category in categories {
                event.bind(header.memberID, at: 1)
                event.bind(category, at: 2)
                event.bind(Int64(header.startDay), at: 3)
                event.bind(header.claimID, at: 4)
                event.bind(position, at: 5)
                event.bind(code, at: 6)
                try event.run()
            }
        }
    }

    /// Adds `line_category` rows for the staged lines whose codes are in a procedure or revenue value set.
    func insertLineCategories() throws {
        let insert = try db.cached("INSERT OR IGNORE INTO line_category(claim_id, line_number, category) VALUES (?, ?, ?)")
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
