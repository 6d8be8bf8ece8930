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
        let store = try EligibilityStore(db: context.db, loadID: loadID)
        let insert = store.insert, replace = store.replace
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
        try store.recordChangedMembers()
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
        statement.bindTextNoCopy(memberID, at: EligibilityStore.Column.memberID.rawValue)
        statement.bind(Int64(startDay.number), at: EligibilityStore.Column.startDay.rawValue)
        statement.bind(endDay?.number, at: EligibilityStore.Column.endDay.rawValue)
        for (offset, column) in optional.enumerated() {
            let index = EligibilityStore.Column.payer.rawValue + Int32(offset)
            let isKey = offset < 2   // payer and plan are part of the key: empty, never NULL
            guard let column else {
                if isKey { statement.bind("", at: index) } else { statement.bindNull(at: index) }
                continue
            }
            let value = Field.trimmed(reader.field(column))
            guard Field.isUTF8(value) else { throw RowProblem.notUTF8(optionalNames[offset]) }
            if value.isEmpty && !isKey { statement.bindNull(at: index) } else { statement.bindTextNoCopy(value, at: index) }
        }
        statement.bind(loadID, at: EligibilityStore.Column.loadID.rawValue)
        statement.bind(line, at: EligibilityStore.Column.sourceLine.rawValue)
    }
}
