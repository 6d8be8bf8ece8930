import History
import SQLiteDB

/// Loads eligibility spans. A row with the same (member_id, enrollment_start_date, payer, plan)
/// as a stored span, from this file or an earlier one, replaces it.
struct EligibilityLoader {
    let context: LoadContext
    let loadID: Int64

    func run(into report: inout LoadReport) throws {
        let reader = context.reader
        let columns = context.columns
        let memberColumnName = columns["member_id"] == columns["person_id"] ? "person_id" : "member_id"
        let member = columns["member_id"]!, start = columns["enrollment_start_date"]!, end = columns["enrollment_end_date"]!
        let optionalNames = ["payer", "plan", "person_id", "birth_date", "gender", "data_source", "file_name", "file_date"]
        let optional = optionalNames.map { columns[$0] }
        let insert = try context.db.cached("""
            INSERT INTO eligibility_span(member_id, start_day, end_day, payer, plan, person_id, birth_date, gender,
                data_source, file_name, file_date, load_id, source_line)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            ON CONFLICT (member_id, start_day, payer, plan) DO NOTHING
            """)
        let replace = try context.db.cached("""
            UPDATE eligibility_span SET end_day = ?3, person_id = ?6, birth_date = ?7, gender = ?8, data_source = ?9,
                file_name = ?10, file_date = ?11, load_id = ?12, source_line = ?13
            WHERE member_id = ?1 AND start_day = ?2 AND payer = ?4 AND plan = ?5
            """)
        report.rowsRead = try context.forEachRow {
            do {
                for statement in [insert, replace] {
                    try bindRow(statement, member: member, memberName: memberColumnName, start: start, end: end,
                                optional: optional, optionalNames: optionalNames, line: reader.lineNumber)
                }
            } catch {
                insert.reset()
                replace.reset()
                throw error
            }
            try insert.run()
            if context.db.changes == 0 {
                try replace.run()
                report.spansReplaced += 1
            } else {
                replace.reset()
                report.spansStored += 1
            }
        }
        // Every member whose spans this file stored or replaced: their decisions may change.
        try context.db.run("""
            INSERT OR IGNORE INTO member_change(load_id, member_id)
            SELECT DISTINCT load_id, member_id FROM eligibility_span WHERE load_id = ?
            """, [.integer(loadID)])
    }

    private func bindRow(_ statement: Statement, member: Int, memberName: String, start: Int, end: Int,
                         optional: [Int?], optionalNames: [String], line: Int) throws {
        let reader = context.reader
        let memberID = Field.trimmed(reader.field(member))
        guard !memberID.isEmpty else { throw RowProblem.empty(memberName) }
        guard Field.isUTF8(memberID) else { throw RowProblem.notUTF8(memberName) }
        let startText = Field.trimmed(reader.field(start))
        guard !startText.isEmpty else { throw RowProblem.empty("enrollment_start_date") }
        guard let startDay = Day.parse(startText) else { throw RowProblem.badDate("enrollment_start_date") }
        let endText = Field.trimmed(reader.field(end))
        var endDay: Day?
        if !endText.isEmpty {
            guard let day = Day.parse(endText) else { throw RowProblem.badDate("enrollment_end_date") }
            guard day >= startDay else {
                throw RowProblem(column: "enrollment_end_date", kind: .endBeforeStart,
                                 message: "enrollment_end_date is before enrollment_start_date")
            }
            endDay = day
        }
        statement.bindTextNoCopy(memberID, at: 1)
        statement.bind(Int64(startDay.number), at: 2)
        statement.bind(endDay?.number, at: 3)
        for (offset, column) in optional.enumerated() {
            let index = Int32(offset + 4)
            let isKey = offset < 2   // payer and plan are part of the key: empty, never NULL
            guard let column else {
                if isKey { statement.bind("", at: index) } else { statement.bindNull(at: index) }
                continue
            }
            let value = Field.trimmed(reader.field(column))
            guard Field.isUTF8(value) else { throw RowProblem.notUTF8(optionalNames[offset]) }
            if value.isEmpty && !isKey { statement.bindNull(at: index) } else { statement.bindTextNoCopy(value, at: index) }
        }
        statement.bind(loadID, at: 12)
        statement.bind(line, at: 13)
    }
}
