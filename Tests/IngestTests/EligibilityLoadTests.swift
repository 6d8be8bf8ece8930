import Foundation
import History
import Ingest
import SQLiteDB
import Testing
import TestSupport

@Suite("Eligibility load")
struct EligibilityLoadTests {
    static let header = "member_id,enrollment_start_date,enrollment_end_date,payer,plan\n"

    private func spans(_ history: TestHistory) throws -> [[SQLiteValue]] {
        try rows(history.db, "SELECT member_id, start_day, end_day, payer, plan FROM eligibility_span ORDER BY 1, 2, 4, 5")
    }

    @Test func spansAreStored() throws {
        let history = try TestHistory()
        let report = try history.loadEligibility([
            .init(member: "M1", start: "2023-01-01", end: "2023-12-31"),
            .init(member: "M2", start: "20240101", end: "20240630", payer: "Other", plan: "HMO"),
        ])
        try expectCountsAddUp(report, history.db)
        #expect(report.kind == .eligibility)
        #expect(report.spansStored == 2)
        #expect(report.spansReplaced == 0)
        let expected: [[SQLiteValue]] = [
            ["M1", day("2023-01-01"), day("2023-12-31"), "ACME", "PPO"],
            ["M2", day("2024-01-01"), day("2024-06-30"), "Other", "HMO"],
        ]
        #expect(try spans(history) == expected)
        #expect(try rows(history.db, "SELECT load_id, source_line FROM eligibility_span ORDER BY source_line")
                == [[.integer(report.loadID), 2], [.integer(report.loadID), 3]])
    }

    @Test func anOpenEndIsStoredAsNull() throws {
        let history = try TestHistory()
        let report = try history.load(Self.header + "M1,2024-01-01,,ACME,PPO\nM2,2024-01-01,   ,ACME,PPO\n", kind: .eligibility)
        try expectCountsAddUp(report, history.db)
        #expect(try rows(history.db, "SELECT member_id, end_day FROM eligibility_span ORDER BY 1") == [["M1", .null], ["M2", .null]])
    }

    @Test func endBeforeStartIsRejected() throws {
        let history = try TestHistory()
        let report = try history.loadEligibility([
            .init(member: "M1", start: "2024-03-01", end: "2024-02-29"),
            .init(member: "M2", start: "2024-03-01", end: "2024-03-01"),
            .init(member: "M3", start: "20240301", end: "20240229"),
        ])
        try expectCountsAddUp(report, history.db)
        #expect(try rejectSummary(report) == ["2 enrollment_end_date end_before_start", "4 enrollment_end_date end_before_start"])
        #expect(try spans(history) == [["M2", day("2024-03-01"), day("2024-03-01"), "ACME", "PPO"]])
    }

    @Test func badAndMissingValues() throws {
        let history = try TestHistory()
        let report = try history.load(Self.header + """
            M1,2023-02-29,,ACME,PPO
            M2,2024-01-01,2024-13-01,ACME,PPO
            ,2024-01-01,,ACME,PPO
            M4,,2024-12-31,ACME,PPO
            M5,01/01/2024,,ACME,PPO
            M6,2024-01-01
            M7,2024-01-01,,ACME,PPO

            """, kind: .eligibility)
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsRead == 7)
        #expect(report.rowsLoaded == 1)
        #expect(try rejectSummary(report) == [
            "2 enrollment_start_date bad_date", "3 enrollment_end_date bad_date", "4 member_id empty_required",
            "5 enrollment_start_date empty_required", "6 enrollment_start_date bad_date", "7  malformed_row",
        ])
        #expect(try spans(history).map { $0[0] } == ["M7"])
    }

    @Test func emptyMemberIDIsRejectedEvenWithAPersonID() throws {
        let history = try TestHistory()
        let report = try history.load("""
            member_id,person_id,enrollment_start_date,enrollment_end_date
            ,P1,2024-01-01,
            M2,P2,2024-01-01,

            """, kind: .eligibility)
        try expectCountsAddUp(report, history.db)
        #expect(try rejectSummary(report) == ["2 member_id empty_required"])
        #expect(try rows(history.db, "SELECT member_id, person_id, payer, plan FROM eligibility_span") == [["M2", "P2", "", ""]])
    }

    @Test func personIDIsTheMemberWhenThereIsNoMemberIDColumn() throws {
        let history = try TestHistory()
        let report = try history.load("""
            person_id,enrollment_start_date,enrollment_end_date
            P1,2024-01-01,2024-12-31
            ,2024-01-01,

            """, kind: .eligibility)
        try expectCountsAddUp(report, history.db)
        #expect(try rows(history.db, "SELECT member_id, person_id FROM eligibility_span") == [["P1", "P1"]])
        #expect(try rejectSummary(report) == ["3 person_id empty_required"])
    }

    @Test func optionalColumnsAreKept() throws {
        let history = try TestHistory()
        let report = try history.load("""
            Member_ID,Enrollment_Start_Date,Enrollment_End_Date,person_id,birth_date,gender,data_source,file_name,file_date,unused
            M1,2024-01-01,2024-12-31,P1,1980-02-29,female,plan-x,elig.txt,2024-02-01,zzz
            M2,2024-01-01,,, ,,,,,

            """, kind: .eligibility)
        try expectCountsAddUp(report, history.db)
        #expect(report.ignoredColumns == ["unused"])
        let kept: [[SQLiteValue]] = [
            ["M1", "P1", "1980-02-29", "female", "plan-x", "elig.txt", "2024-02-01", "", ""],
            ["M2", .null, .null, .null, .null, .null, .null, "", ""],
        ]
        #expect(try rows(history.db, """
            SELECT member_id, person_id, birth_date, gender, data_source, file_name, file_date, payer, plan
            FROM eligibility_span ORDER BY 1
            """) == kept)
    }

    @Test func aLaterRowWithTheSameKeyReplacesInTheSameFile() throws {
        let history = try TestHistory()
        let report = try history.loadEligibility([
            .init(member: "M1", start: "2024-01-01", end: "2024-03-31"),
            .init(member: "M1", start: "2024-01-01", end: "2024-06-30", payer: "ACME", plan: "HMO"),
            .init(member: "M1", start: "20240101", end: ""),
            .init(member: "M1", start: "2024-01-01", end: "2024-12-31", payer: "Other"),
        ])
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsLoaded == 4)
        #expect(report.spansStored == 3)
        #expect(report.spansReplaced == 1)
        let expected: [[SQLiteValue]] = [
            ["M1", day("2024-01-01"), day("2024-06-30"), "ACME", "HMO"],
            ["M1", day("2024-01-01"), .null, "ACME", "PPO"],
            ["M1", day("2024-01-01"), day("2024-12-31"), "Other", "PPO"],
        ]
        #expect(try spans(history) == expected)
        #expect(try rows(history.db, "SELECT source_line FROM eligibility_span WHERE plan = 'PPO' AND payer = 'ACME'") == [[4]])
    }

    @Test func aLaterFileReplacesTheSpan() throws {
        let history = try TestHistory()
        let first = try history.loadEligibility([
            .init(member: "M1", start: "2024-01-01", end: "2024-03-31"),
            .init(member: "M2", start: "2024-01-01", end: "2024-03-31"),
        ])
        let second = try history.load("""
            member_id,enrollment_start_date,enrollment_end_date,payer,plan,gender
            M1,20240101,2024-09-30,ACME,PPO,male
            M1,2024-04-01,,ACME,PPO,male

            """, kind: .eligibility)
        try expectCountsAddUp(second, history.db)
        #expect(second.spansReplaced == 1)
        #expect(second.spansStored == 1)
        let expected: [[SQLiteValue]] = [
            ["M1", day("2024-01-01"), day("2024-09-30"), "male", .integer(second.loadID), 2],
            ["M1", day("2024-04-01"), .null, "male", .integer(second.loadID), 3],
            ["M2", day("2024-01-01"), day("2024-03-31"), .null, .integer(first.loadID), 3],
        ]
        #expect(try rows(history.db, "SELECT member_id, start_day, end_day, gender, load_id, source_line FROM eligibility_span ORDER BY 1, 2")
                == expected)
    }

    @Test func missingPayerAndPlanColumnsMeanEmpty() throws {
        let history = try TestHistory()
        try history.load("member_id,enrollment_start_date,enrollment_end_date\nM1,2024-01-01,\n", kind: .eligibility)
        let report = try history.load("member_id,enrollment_start_date,enrollment_end_date,payer\nM1,2024-01-01,2024-05-31,\n", kind: .eligibility)
        try expectCountsAddUp(report, history.db)
        #expect(report.spansReplaced == 1)
        #expect(try spans(history) == [["M1", day("2024-01-01"), day("2024-05-31"), "", ""]])
        #expect(try rows(history.db, "SELECT typeof(payer), typeof(plan) FROM eligibility_span") == [["text", "text"]])
    }

    @Test(arguments: [("|", "|"), ("\t", "\t"), (",", ",")])
    func delimitedByPipeOrTab(delimiter: String, detected: String) throws {
        let history = try TestHistory()
        let text = Self.header.replacingOccurrences(of: ",", with: delimiter)
            + ["M1", "2024-01-01", "2024-12-31", "ACME, Inc", "PPO"].joined(separator: delimiter) + "\n"
            + ["M2", "2024-01-01", "", "\"Quoted\(delimiter)Payer\"", "HMO"].joined(separator: delimiter) + "\n"
        let report = try history.load(text, kind: .eligibility)
        try expectCountsAddUp(report, history.db)
        #expect(report.delimiter == detected)
        if delimiter == "," {
            #expect(report.rowsRejected == 1)   // "ACME, Inc" splits the row in a comma file
        } else {
            #expect(report.rowsRejected == 0)
            #expect(try rows(history.db, "SELECT payer FROM eligibility_span ORDER BY member_id") == [["ACME, Inc"], [.text("Quoted\(delimiter)Payer")]])
        }
    }

    @Test func aDelimiterGivenByOptionIsUsed() throws {
        let history = try TestHistory()
        // The header alone would be detected as comma-delimited (3 commas, 3 pipes).
        let path = history.directory.write("odd.txt", "member_id|enrollment_start_date|enrollment_end_date|note,with,many,commas\nM1|2024-01-01||x\n")
        let report = try loadFile(history, path: path, kind: .eligibility, delimiter: UInt8(ascii: "|"))
        try expectCountsAddUp(report, history.db)
        #expect(report.delimiter == "|")
        #expect(report.rowsLoaded == 1)
        #expect(report.ignoredColumns == ["note,with,many,commas"])
    }

    @Test func aMissingRequiredColumnChangesNothing() throws {
        let history = try TestHistory()
        try history.loadEligibility([.init(member: "M1", start: "2024-01-01")])
        let before = try databaseDigest(history.db)
        let error = #expect(throws: IngestError.self) {
            try history.load("member_id,enrollment_start_date,payer\nM1,2024-01-01,X\n", kind: .eligibility)
        }
        guard case .missingColumns(_, let columns)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(columns == ["enrollment_end_date"])
        #expect(try databaseDigest(history.db) == before)
    }

    @Test func reloadingTheSameBytesChangesNothing() throws {
        let history = try TestHistory()
        let rows = [EligibilityRow(member: "M1", start: "2024-01-01"), EligibilityRow(member: "M2", start: "2024-02-01", end: "2024-01-01")]
        let first = try history.loadEligibility(rows)
        try expectCountsAddUp(first, history.db)
        let before = try databaseDigest(history.db)
        let again = try history.loadEligibility(rows)
        #expect(again.status == .alreadyLoaded)
        #expect(again.loadID == first.loadID)
        #expect(counts(again) == [2, 1, 1])
        #expect(try databaseDigest(history.db) == before)
    }

    @Test func theSameBytesAsAnotherKindAreAnotherFile() throws {
        let history = try TestHistory()
        // A file with the columns of both kinds.
        let text = "member_id,enrollment_start_date,enrollment_end_date,claim_id,claim_line_number,claim_type,claim_start_date,diagnosis_code_1\n"
            + "M1,2024-01-01,,C1,1,professional,2024-03-01,M5450\n"
        let eligibility = try history.load(text, kind: .eligibility, name: "both.csv")
        let claims = try history.load(text, kind: .claims, name: "both.csv")
        #expect(eligibility.status == .loaded && claims.status == .loaded)
        #expect(eligibility.loadID != claims.loadID)
        #expect(try rows(history.db, "SELECT count(*) FROM eligibility_span") == [[1]])
        #expect(try rows(history.db, "SELECT count(*) FROM claim") == [[1]])
    }
}
