import DelimitedText
import History
import SQLiteDB

/// Loads a claims file: rows are checked and staged (`ClaimRowReader`), then each claim of the
/// file is judged as a whole, in claim order:
///
/// - rows that disagree on `claim_type`, the member or `claim_start_date` are all rejected
///   (`inconsistent_header`) and any stored version of the claim stays;
/// - a claim with a `claim_frequency_code` 8 row is a void: its stored version is removed;
/// - otherwise the file's rows replace the stored version: header and diagnoses from the
///   lowest-numbered line (a warning when lines disagree on diagnoses), every line as given.
struct ClaimLoader {
    let context: LoadContext
    let loadID: Int64

    func run(into report: inout LoadReport) throws {
        let db = context.db
        try db.execute(ClaimRowReader.createStage)
        try db.execute("""
            DROP TABLE IF EXISTS temp.claim_dropped;
            CREATE TEMP TABLE claim_dropped(claim_id TEXT PRIMARY KEY) WITHOUT ROWID;
            DROP TABLE IF EXISTS temp.claim_cross_reject;
            CREATE TEMP TABLE claim_cross_reject(source_line INTEGER PRIMARY KEY, column_name TEXT, message TEXT);
            """)
        let lineCategories = try Self.lineCategories(db)
        let rowReader = ClaimRowReader(context: context, procedureCategories: lineCategories.procedure,
                                       revenueCategories: lineCategories.revenue)
        report.rowsRead = try rowReader.run()
        let staged = try db.scalarInt("SELECT count(*) FROM claim_stage") ?? 0

        let writer = try ClaimWriter(db: db, loadID: loadID)
        let judged = try judgeClaims(writer: writer, report: &report)

        try db.execute("""
            DELETE FROM claim_stage WHERE claim_id IN (SELECT claim_id FROM claim_dropped);
            DELETE FROM claim_void WHERE claim_id IN (SELECT claim_id FROM claim_stage);
            """)
        report.claimsStored = try writer.storeStagedClaims()
        try db.run("""
            INSERT INTO claim_line(claim_id, line_number, service_day, line_start_day, hcpcs_code, hcpcs_modifier_1,
                hcpcs_modifier_2, hcpcs_modifier_3, hcpcs_modifier_4, hcpcs_modifier_5, revenue_center_code,
                bill_type_code, place_of_service_code, paid_amount, charge_amount, load_id, source_line)
            SELECT claim_id, line_number, coalesce(line_start_day, start_day), line_start_day, hcpcs, modifier_1,
                modifier_2, modifier_3, modifier_4, modifier_5, revenue, bill_type, place_of_service, paid, charge,
                ?, source_line
            FROM claim_stage
            """, [.integer(loadID)])
        let linesStored = db.changes
        try writer.insertLineCategories()

        // Every staged row is a stored line, a void row, or part of a rejected claim.
        let accounted = Int64(linesStored + judged.voidRows + judged.rejectedRows)
        guard accounted == staged else {
            throw IngestError.countsDoNotAddUp(path: context.path, detail: "\(staged) rows staged, \(accounted) accounted for")
        }
        if judged.rejectedRows > 0 { try rejectInconsistentRows() }
        try db.execute("DROP TABLE temp.claim_stage; DROP TABLE temp.claim_dropped; DROP TABLE temp.claim_cross_reject;")
    }

    private struct Judged {
        var voidRows = 0
        var rejectedRows = 0
    }

    /// One pass over the staged rows in (claim_id, line_number) order; each claim is applied when its last row is seen.
    private func judgeClaims(writer: ClaimWriter, report: inout LoadReport) throws -> Judged {
        let db = context.db
        var judged = Judged()
        var group: ClaimGroup?
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
                judged.rejectedRows += group.sourceLines.count
                dropped.bind(group.header.claimID, at: 1)
                try dropped.run()
                return
            }
            if group.diagnosesDiffer { report.warnings += 1 }
            let existed = try writer.remove(claimID: group.header.claimID)
            if group.isVoid {
                // Voiding a claim never stored does nothing (it is only counted).
                if existed {
                    try writer.recordVoid(claimID: group.header.claimID)
                    report.claimsVoided += 1
                } else {
                    report.voidsOfUnknownClaims += 1
                }
                judged.voidRows += group.sourceLines.count
                dropped.bind(group.header.claimID, at: 1)
                try dropped.run()
            } else if existed {
                report.claimsReplaced += 1
            }
        }

        let scan = try db.prepare("""
            SELECT claim_id, source_line, claim_type, member_id, start_day, dx_type, dx, frequency
            FROM claim_stage ORDER BY claim_id, line_number
            """)
        while try scan.step() {
            if let current = group, scan.textEquals(0, current.header.claimID) {
                group!.add(row: scan)
            } else {
                if let group { try finish(group) }
                group = ClaimGroup(header: ClaimHeader(row: scan))
            }
        }
        if let group { try finish(group) }
        return judged
    }

    /// Writes the raw lines of the rows rejected at claim level, re-reading the file for them.
    private func rejectInconsistentRows() throws {
        let reader = try context.reopen()
        let pending = try context.db.prepare("SELECT source_line, column_name, message FROM claim_cross_reject ORDER BY source_line")
        var more = try pending.step()
        while more, try reader.next() {
            guard reader.lineNumber == pending.int(0) else { continue }
            try context.rejects.add(line: reader.lineNumber, column: pending.text(1), kind: .inconsistentHeader,
                                    message: pending.text(2), raw: reader.rawRecord)
            more = try pending.step()
        }
        guard !more else {
            throw IngestError.countsDoNotAddUp(path: context.path, detail: "the file changed while it was being loaded")
        }
    }

    /// Procedure and revenue codes → value sets, for deriving `line_category` while staging.
    static func lineCategories(_ db: Connection) throws -> (procedure: CodeLookup, revenue: CodeLookup) {
        var procedure = CodeLookup(), revenue = CodeLookup()
        try db.forEach("SELECT code_system, code, value_set FROM value_set_code WHERE code_system IN ('CPT', 'HCPCS', 'UBREV') ORDER BY value_set") {
            if $0.text(0) == "UBREV" { revenue.add(code: $0.text(1), valueSet: $0.text(2)) }
            else { procedure.add(code: $0.text(1), valueSet: $0.text(2)) }
        }
        return (procedure, revenue)
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
