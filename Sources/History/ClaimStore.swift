import SQLiteDB

/// What applying one file's stage to the history did.
public struct StageOutcome: Sendable, Equatable {
    public var stagedRows = 0
    public var linesStored = 0
    public var claimsStored = 0
    public var claimsReplaced = 0
    public var claimsVoided = 0
    /// Voids of claims that were never stored: counted, nothing else.
    public var voidsOfUnknownClaims = 0
    /// Rows of void claims (they count as loaded).
    public var voidRows = 0
    /// Rows of claims rejected whole (`ClaimStage.forEachRejectedRow`).
    public var rejectedRows = 0
    /// Claims whose rows disagree only on diagnoses (the lowest-numbered line's are used).
    public var warnings = 0
}

/// Applies claim versions to the history: the owner of `claim`, `claim_line`, `claim_diagnosis`,
/// `claim_void` and, through `DerivedEvents`, of `dx_event` and `line_category`.
///
/// One file's stage is applied claim by claim, in claim order:
/// - rows that disagree on `claim_type`, the member or `claim_start_date` are all rejected and any
///   stored version of the claim stays;
/// - a claim with a `claim_frequency_code` 8 row is a void: its stored version is removed;
/// - otherwise the file's rows replace the stored version: header and diagnoses from the
///   lowest-numbered line, every line as given.
/// Every member whose claims change is recorded in `member_change` for the incremental decide.
public final class ClaimStore {
    private let db: Connection
    private let loadID: Int64
    private let findMember, deleteEvents, deleteLineCategories, deleteDiagnoses, deleteLines, deleteClaim: Statement
    private let upsertVoid, memberChanged: Statement

    public init(db: Connection, loadID: Int64) throws {
        self.db = db
        self.loadID = loadID
        findMember = try db.prepare("""
            SELECT member_id, min(start_day, coalesce((SELECT min(service_day) FROM claim_line WHERE claim_id = ?1), start_day)),
                start_day
            FROM claim WHERE claim_id = ?1
            """)
        // A claim's events are dated at its start: one period, one member, one day.
        deleteEvents = try db.prepare("DELETE FROM dx_event WHERE period = ? AND member_id = ? AND day = ? AND claim_id = ?")
        deleteLineCategories = try db.prepare("DELETE FROM line_category WHERE claim_id = ?")
        deleteDiagnoses = try db.prepare("DELETE FROM claim_diagnosis WHERE claim_id = ?")
        deleteLines = try db.prepare("DELETE FROM claim_line WHERE claim_id = ?")
        deleteClaim = try db.prepare("DELETE FROM claim WHERE claim_id = ?")
        memberChanged = try db.prepare("""
            INSERT INTO member_change(load_id, member_id, from_day) VALUES (?, ?, ?)
            ON CONFLICT (load_id, member_id) DO UPDATE SET from_day = min(from_day, excluded.from_day)
            """)
        upsertVoid = try db.prepare("""
            INSERT INTO claim_void(claim_id, load_id) VALUES (?, ?)
            ON CONFLICT (claim_id) DO UPDATE SET load_id = excluded.load_id
            """)
    }

    /// Applies the stage (`ClaimStage`) to the history.
    public func applyStage() throws -> StageOutcome {
        var outcome = StageOutcome()
        outcome.stagedRows = Int(try db.scalarInt("SELECT count(*) FROM claim_stage") ?? 0)
        try judgeClaims(&outcome)
        try db.execute("""
            DELETE FROM claim_stage WHERE claim_id IN (SELECT claim_id FROM claim_dropped);
            DELETE FROM claim_void WHERE claim_id IN (SELECT claim_id FROM claim_stage);
            """)
        outcome.claimsStored = try storeStagedClaims()
        outcome.linesStored = try storeStagedLines()
        try DerivedEvents(db).derive(.justStored)
        try db.execute("DROP TABLE temp.claim_head")
        return outcome
    }

    /// One pass over the staged rows in (claim_id, line_number) order; each claim is applied when its last row is seen.
    private func judgeClaims(_ outcome: inout StageOutcome) throws {
        let dropped = try db.cached("INSERT INTO claim_dropped(claim_id) VALUES (?)")
        let crossReject = try db.cached("INSERT INTO claim_cross_reject(source_line, column_name, message) VALUES (?, ?, ?)")

        func finish(_ group: ClaimGroup) throws {
            if let column = group.inconsistentColumn {
                for line in group.sourceLines {
                    crossReject.bind(line, at: 1)
                    crossReject.bind(column, at: 2)
                    crossReject.bind("the rows of this claim disagree on \(column)", at: 3)
                    try crossReject.run()
                }
                outcome.rejectedRows += group.sourceLines.count
                dropped.bind(group.header.claimID, at: 1)
                try dropped.run()
                return
            }
            if group.diagnosesDiffer { outcome.warnings += 1 }
            let existed = try remove(claimID: group.header.claimID)
            if group.isVoid {
                // Voiding a claim never stored does nothing (it is only counted).
                if existed {
                    try recordVoid(claimID: group.header.claimID)
                    outcome.claimsVoided += 1
                } else {
                    outcome.voidsOfUnknownClaims += 1
                }
                outcome.voidRows += group.sourceLines.count
                dropped.bind(group.header.claimID, at: 1)
                try dropped.run()
            } else if existed {
                outcome.claimsReplaced += 1
            }
        }

        let scan = try db.prepare("""
            SELECT claim_id, source_line, claim_type, member_id, start_day, dx_type, dx, frequency
            FROM claim_stage ORDER BY claim_id, line_number
            """)
        var group: ClaimGroup?
        while try scan.step() {
            if let current = group, scan.textEquals(0, current.header.claimID) {
                group!.add(row: scan)
            } else {
                if let group { try finish(group) }
                group = ClaimGroup(header: ClaimHeader(row: scan))
            }
        }
        if let group { try finish(group) }
    }

    /// Removes the stored version of a claim (its events, line categories, diagnoses and lines,
    /// then the claim: explicitly, so it holds whether or not the connection enforces foreign keys,
    /// which a load does not); returns whether there was one.
    func remove(claimID: String) throws -> Bool {
        findMember.bind(claimID, at: 1)
        guard try findMember.step() else { findMember.reset(); return false }
        let member = findMember.text(0), fromDay = findMember.int64(1), startDay = Day(number: findMember.int32(2))
        findMember.reset()
        deleteEvents.bind(EventPeriod.of(startDay), at: 1)
        deleteEvents.bind(member, at: 2)
        deleteEvents.bind(startDay.number, at: 3)
        deleteEvents.bind(claimID, at: 4)
        try deleteEvents.run()
        for statement in [deleteLineCategories, deleteDiagnoses, deleteLines, deleteClaim] {
            statement.bind(claimID, at: 1)
            try statement.run()
        }
        try recordMemberChange(member: member, fromDay: fromDay)
        return true
    }

    /// Records that `member`'s claims changed from `fromDay` on (the earliest day of this load's changes kept).
    func recordMemberChange(member: String, fromDay: Int64) throws {
        memberChanged.bind(loadID, at: 1)
        memberChanged.bind(member, at: 2)
        memberChanged.bind(fromDay, at: 3)
        try memberChanged.run()
    }

    /// Records the void of a stored claim (already removed) by this load.
    func recordVoid(claimID: String) throws {
        upsertVoid.bind(claimID, at: 1)
        upsertVoid.bind(loadID, at: 2)
        try upsertVoid.run()
    }

    /// Stores the header and diagnoses of every claim left in the stage (old versions are already
    /// removed) and records their members; leaves `temp.claim_head` (one row per claim) for the
    /// derived events. Returns the number of claims stored.
    private func storeStagedClaims() throws -> Int {
        // One scan in key order; with a single min(), SQLite takes the bare columns from that row.
        try db.execute("DROP TABLE IF EXISTS temp.claim_head")
        try db.run("""
            CREATE TEMP TABLE claim_head AS
            SELECT claim_id, min(line_number) AS line_number, claim_type, member_id, start_day, end_day, dx_type, dx,
                frequency, payer, plan, data_source, file_name, file_date, ?1 AS load_id
            FROM claim_stage GROUP BY claim_id
            """, [.integer(loadID)])
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
            """)
        try db.run("""
            INSERT INTO member_change(load_id, member_id, from_day)
            SELECT ?1, member_id, min(min(start_day, coalesce(line_start_day, start_day))) FROM claim_stage WHERE true
            GROUP BY member_id
            ON CONFLICT (load_id, member_id) DO UPDATE SET from_day = min(from_day, excluded.from_day)
            """, [.integer(loadID)])
        return stored
    }

    /// Stores every staged line; returns how many.
    private func storeStagedLines() throws -> Int {
        try db.run("""
            INSERT INTO claim_line(claim_id, line_number, service_day, line_start_day, hcpcs_code, hcpcs_modifier_1,
                hcpcs_modifier_2, hcpcs_modifier_3, hcpcs_modifier_4, hcpcs_modifier_5, revenue_center_code,
                bill_type_code, place_of_service_code, paid_amount, charge_amount, load_id, source_line)
            SELECT claim_id, line_number, coalesce(line_start_day, start_day), line_start_day, hcpcs, modifier_1,
                modifier_2, modifier_3, modifier_4, modifier_5, revenue, bill_type, place_of_service, paid, charge,
                ?, source_line
            FROM claim_stage
            """, [.integer(loadID)])
        return db.changes
    }
}

/// The header fields of a claim's lowest-numbered staged row, as the judging pass compares them.
struct ClaimHeader {
    let claimID: String
    let sourceLine: Int
    let claimType: String
    let memberID: String
    let startDay: Int32
    let dxType: String
    let dx: String
    let frequency: String?

    /// Reads the stage scan's columns: claim_id, source_line, claim_type, member_id, start_day, dx_type, dx, frequency.
    init(row: Statement) {
        claimID = row.text(0)
        sourceLine = row.int(1)
        claimType = row.text(2)
        memberID = row.text(3)
        startDay = row.int32(4)
        dxType = row.text(5)
        dx = row.text(6)
        frequency = row.optionalText(7)
    }
}

/// The rows of one claim in one file, as seen in line-number order.
struct ClaimGroup {
    /// The lowest-numbered line: the claim's header and diagnoses.
    let header: ClaimHeader
    private(set) var sourceLines: [Int]
    private(set) var inconsistentColumn: String?
    private(set) var diagnosesDiffer = false
    private(set) var isVoid: Bool

    init(header: ClaimHeader) {
        self.header = header
        sourceLines = [header.sourceLine]
        isVoid = header.frequency == "8"
    }

    /// Adds a later row of the claim, read from the stage scan (columns as in `ClaimHeader(row:)`),
    /// comparing in place without making Strings.
    mutating func add(row: Statement) {
        sourceLines.append(row.int(1))
        if row.textEquals(7, "8") { isVoid = true }
        if inconsistentColumn == nil {
            if !row.textEquals(2, header.claimType) { inconsistentColumn = "claim_type" }
            else if !row.textEquals(3, header.memberID) { inconsistentColumn = "member_id" }
            else if row.int32(4) != header.startDay { inconsistentColumn = "claim_start_date" }
        }
        if !row.textEquals(6, header.dx) || !row.textEquals(5, header.dxType) { diagnosesDiffer = true }
    }
}
