import DelimitedText
import Foundation
import History
import Ingest
import SQLiteDB
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Claims load")
struct ClaimLoadTests {
    /// The required columns only.
    static let minimal = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,diagnosis_code_1\n"
    /// Required columns and the dates.
    static let dated = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,claim_end_date,claim_line_start_date,diagnosis_code_1\n"

    private func claimIDs(_ history: TestHistory) throws -> [String] {
        try rows(history.db, "SELECT claim_id FROM claim ORDER BY claim_id").map { row in
            if case .text(let id) = row[0] { return id }
            return "?"
        }
    }

    // MARK: Values as stored

    @Test func diagnosisAndProcedureCodesAreNormalised() throws {
        let history = try TestHistory()
        let report = try history.loadClaims([
            .init(claim: "C1", member: "M1", start: "2024-03-01", hcpcs: " 72148 ", dx: ["m54.50", " c50.911 ", "", "z00.00"]),
        ])
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsLoaded == 1)
        let diagnoses: [[SQLiteValue]] = [["C1", 1, "M5450"], ["C1", 2, "C50911"], ["C1", 4, "Z0000"]]
        #expect(try rows(history.db, "SELECT claim_id, position, code FROM claim_diagnosis ORDER BY position") == diagnoses)
        let events: [[SQLiteValue]] = [["CANCER", 2, "C50911"], ["LOW_BACK_PAIN", 1, "M5450"]]
        #expect(try rows(history.db, "SELECT category, position, code FROM dx_event ORDER BY category") == events)
        #expect(try history.db.scalarText("SELECT hcpcs_code FROM claim_line") == "72148")
        #expect(try rows(history.db, "SELECT category FROM line_category") == [["IMAGING_MRI"]])
    }

    @Test func codesKeepTheirLeadingZeros() throws {
        let history = try TestHistory()
        let text = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,diagnosis_code_1,revenue_center_code,"
            + "place_of_service_code,bill_type_code,hcpcs_modifier_1,hcpcs_modifier_5,paid_amount,charge_amount,payer,plan\n"
            + "C1,1,institutional,M1,2024-03-01,M5450,0450,01,0131,26,0F,0010.50,00100, Acme ,007\n"
            + "C1,2,institutional,M1,2024-03-01,M5450, 0320 ,,,,,,,Acme,007\n"
        let report = try history.load(text, kind: .claims)
        try expectCountsAddUp(report, history.db)
        let lines: [[SQLiteValue]] = [
            ["0450", "01", "0131", "26", "0F", "0010.50", "00100"],
            ["0320", .null, .null, .null, .null, .null, .null],
        ]
        #expect(try rows(history.db, """
            SELECT revenue_center_code, place_of_service_code, bill_type_code, hcpcs_modifier_1, hcpcs_modifier_5,
                paid_amount, charge_amount FROM claim_line ORDER BY line_number
            """) == lines)
        #expect(try rows(history.db, "SELECT DISTINCT typeof(revenue_center_code), typeof(bill_type_code) FROM claim_line WHERE line_number = 1")
                == [["text", "text"]])
        #expect(try rows(history.db, "SELECT payer, plan FROM claim") == [["Acme", "007"]])
        // The revenue code is matched as text too (IMAGING_REVENUE holds 0320).
        #expect(try rows(history.db, "SELECT line_number, category FROM line_category") == [[2, "IMAGING_REVENUE"]])
    }

    @Test func bothDateFormsAreAccepted() throws {
        let history = try TestHistory()
        let report = try history.load(Self.dated + """
            C1,1,professional,M1,20240603,2024-06-05,20240604,M5450
            C1,2,professional,M1,2024-06-03,20240605,,M5450
            C2,1,professional,M1,2024-06-03,,,M5450

            """, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsRejected == 0)
        let claims: [[SQLiteValue]] = [["C1", day("2024-06-03"), day("2024-06-05")], ["C2", day("2024-06-03"), .null]]
        #expect(try rows(history.db, "SELECT claim_id, start_day, end_day FROM claim ORDER BY claim_id") == claims)
        // The service day is the line's date, or the claim's start when the line has none.
        let lines: [[SQLiteValue]] = [
            ["C1", 1, day("2024-06-04"), day("2024-06-04")],
            ["C1", 2, day("2024-06-03"), .null],
            ["C2", 1, day("2024-06-03"), .null],
        ]
        #expect(try rows(history.db, "SELECT claim_id, line_number, service_day, line_start_day FROM claim_line ORDER BY 1, 2") == lines)
        #expect(try rows(history.db, "SELECT day FROM dx_event WHERE claim_id = 'C1'") == [[day("2024-06-03")]])
    }

    @Test func badDatesAreRejectedWithTheirLines() throws {
        let history = try TestHistory()
        let report = try history.load(Self.dated + """
            C1,1,professional,M1,2023-02-29,,,M5450
            C2,1,professional,M1,2024-06-03,2024-6-05,,M5450
            C3,1,professional,M1,2024-06-03,,06/04/2024,M5450
            C4,1,professional,M1,2024-06-31,,,M5450

            C5,1,professional,M1,20241301,,,M5450
            C6,1,professional,M1,,,,M5450
            C7,1,professional,M1, 2024-06-03 ,,,M5450

            """, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsRead == 7)
        #expect(report.rowsLoaded == 1)
        #expect(try rejectSummary(report) == [
            "2 claim_start_date bad_date", "3 claim_end_date bad_date", "4 claim_line_start_date bad_date",
            "5 claim_start_date bad_date", "7 claim_start_date bad_date", "8 claim_start_date empty_required",
        ])
        #expect(report.rejectsByKind == ["bad_date": 5, "empty_required": 1])
        #expect(try claimIDs(history) == ["C7"])
    }

    @Test func claimLineNumbersMustBePositiveWholeNumbers() throws {
        let history = try TestHistory()
        let numbers = ["01", " 2 ", "1.5", "A", "0", "-1", "", "+3", "4294967296", "1e2", "007"]
        let text = Self.minimal + numbers.enumerated().map { "C\($0.offset),\($0.element),professional,M1,2024-03-01,M5450\n" }.joined()
        let report = try history.load(text, kind: .claims)
        try expectCountsAddUp(report, history.db)
        let stored: [[SQLiteValue]] = [["C0", 1], ["C1", 2], ["C10", 7]]
        #expect(try rows(history.db, "SELECT claim_id, line_number FROM claim_line ORDER BY claim_id") == stored)
        #expect(try rejectSummary(report) == [
            "4 claim_line_number bad_integer", "5 claim_line_number bad_integer", "6 claim_line_number bad_integer",
            "7 claim_line_number bad_integer", "8 claim_line_number empty_required", "9 claim_line_number bad_integer",
            "10 claim_line_number bad_integer", "11 claim_line_number bad_integer",
        ])
    }

    @Test func claimTypeIsOneOfThreeWordsInAnyCase() throws {
        let history = try TestHistory()
        let types = ["Professional", "INSTITUTIONAL", " undetermined ", "dental", "", "prof", "professional."]
        let text = Self.minimal + types.enumerated().map { "C\($0.offset),1,\($0.element),M1,2024-03-01,M5450\n" }.joined()
        let report = try history.load(text, kind: .claims)
        try expectCountsAddUp(report, history.db)
        let stored: [[SQLiteValue]] = [["C0", "professional"], ["C1", "institutional"], ["C2", "undetermined"]]
        #expect(try rows(history.db, "SELECT claim_id, claim_type FROM claim ORDER BY claim_id") == stored)
        #expect(try rejectSummary(report) == [
            "5 claim_type bad_value", "6 claim_type empty_required", "7 claim_type bad_value", "8 claim_type bad_value",
        ])
    }

    @Test func otherRequiredValues() throws {
        let history = try TestHistory()
        let text = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,diagnosis_code_1,diagnosis_code_2\n"
            + " ,1,professional,M1,2024-03-01,M5450,\n"
            + "C2,1,professional,M1,2024-03-01,,M5450\n"
            + "C3,1,professional,M1,2024-03-01, . ,\n"
            + "C4,1,professional,M1,2024-03-01,M5450,\n"
        let report = try history.load(text, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(try rejectSummary(report) == [
            "2 claim_id empty_required", "3 diagnosis_code_1 empty_required", "4 diagnosis_code_1 empty_required",
        ])
        #expect(try claimIDs(history) == ["C4"])
    }

    @Test func emptyMemberIDIsRejectedEvenWithAPersonID() throws {
        let history = try TestHistory()
        let report = try history.load("""
            claim_id,claim_line_number,claim_type,member_id,person_id,claim_start_date,diagnosis_code_1
            C1,1,professional,,P1,2024-03-01,M5450
            C2,1,professional,M2,P2,2024-03-01,M5450

            """, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(try rejectSummary(report) == ["2 member_id empty_required"])
        #expect(try rows(history.db, "SELECT claim_id, member_id FROM claim") == [["C2", "M2"]])
    }

    @Test func personIDIsTheMemberWhenThereIsNoMemberIDColumn() throws {
        let history = try TestHistory()
        let report = try history.load("""
            claim_id,claim_line_number,claim_type,person_id,claim_start_date,diagnosis_code_1
            C1,1,professional,P1,2024-03-01,M5450
            C2,1,professional,,2024-03-01,M5450

            """, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(try rows(history.db, "SELECT claim_id, member_id FROM claim") == [["C1", "P1"]])
        #expect(try rows(history.db, "SELECT member_id, category FROM dx_event") == [["P1", "LOW_BACK_PAIN"]])
        #expect(try rejectSummary(report) == ["3 person_id empty_required"])
    }

    @Test func malformedRowsAreRejected() throws {
        let history = try TestHistory()
        var bytes = Array((Self.minimal + """
            C1,1,professional,M1,2024-03-01
            C2,1,professional,M1,2024-03-01,M5450,extra
            C3,1,professional,M1,2024-03-01,M5450,
            "C4"x,1,professional,M1,2024-03-01,M5450

            """).utf8)
        bytes += Array("C5,1,professional,M1,2024-03-01,M54".utf8) + [0] + Array("50\n".utf8)
        bytes += Array("C6,1,professional,M1,2024-03-01,M5450\nC7,1,professional,M1,2024-03-01,\"M5450\n".utf8)
        let path = history.directory.write("ragged.csv", bytes: bytes)
        let report = try loadFile(history, path: path, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsRead == 7)
        #expect(report.rowsLoaded == 1)
        #expect(try rejectSummary(report) == [
            "2  malformed_row", "3  malformed_row", "4  malformed_row", "5  malformed_row", "6  malformed_row", "8  malformed_row",
        ])
        let messages = try readRejects(try #require(report.rejectsFile)).map(\.message)
        #expect(messages.prefix(3) == ["expected 6 fields, found 5", "expected 6 fields, found 7", "expected 6 fields, found 7"])
        #expect(messages.contains("text follows a closing quote"))
        #expect(messages.contains("the row contains a NUL byte"))
        #expect(messages.contains("a quoted field is not closed before the end of the file"))
        let nulRow = try readRejects(try #require(report.rejectsFile)).first { $0.line == 6 }
        #expect(nulRow?.raw == "C5,1,professional,M1,2024-03-01,M54\u{0}50")
        #expect(try claimIDs(history) == ["C6"])
    }

    @Test func textThatIsNotUTF8IsABadValue() throws {
        let history = try TestHistory()
        let bytes = Array((Self.minimal + "C1,1,professional,M").utf8) + [0xFF, 0xFE] + Array(",2024-03-01,M5450\nC2,1,professional,M2,2024-03-01,M5450\n".utf8)
        let path = history.directory.write("latin1.csv", bytes: bytes)
        let report = try loadFile(history, path: path, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(try rejectSummary(report) == ["2 member_id bad_value"])
        // The raw line is kept byte for byte in the rejects file.
        let reader = CSVReader(source: try FileSource(path: try #require(report.rejectsFile)))
        _ = try reader.readHeader()
        #expect(try reader.next())
        #expect(Array(reader.field(5)) == Array("C1,1,professional,M".utf8) + [0xFF, 0xFE] + Array(",2024-03-01,M5450".utf8))
    }

    // MARK: Rows of one claim

    @Test func aDuplicateLineRejectsTheLaterRow() throws {
        let history = try TestHistory()
        let report = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["M5450"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", hcpcs: "99213", dx: ["M5450"]),
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72100", dx: ["M5450"]),
        ])
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsLoaded == 2)
        #expect(try rejectSummary(report) == ["4 claim_line_number duplicate_line"])
        let lines: [[SQLiteValue]] = [[1, "72148", 2], [2, "99213", 3]]
        #expect(try rows(history.db, "SELECT line_number, hcpcs_code, source_line FROM claim_line ORDER BY 1") == lines)
    }

    @Test(arguments: [
        ("claim_type", ClaimRow(claim: "C1", line: 2, type: "institutional", member: "M1", start: "2024-03-01", dx: ["M5450"])),
        ("member_id", ClaimRow(claim: "C1", line: 2, member: "M2", start: "2024-03-01", dx: ["M5450"])),
        ("claim_start_date", ClaimRow(claim: "C1", line: 2, member: "M1", start: "2024-03-02", dx: ["M5450"])),
    ])
    func anInconsistentHeaderRejectsTheWholeClaimAndKeepsTheStoredOne(column: String, odd: ClaimRow) throws {
        let history = try TestHistory()
        let first = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-02-01", hcpcs: "72148", dx: ["C50911"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-02-01", hcpcs: "99213", dx: ["C50911"]),
            .init(claim: "C1", line: 3, member: "M1", start: "2024-02-01", dx: ["C50911"]),
        ])
        func storedC1() throws -> [[[SQLiteValue]]] {
            [try rows(history.db, "SELECT * FROM claim WHERE claim_id = 'C1'"),
             try rows(history.db, "SELECT * FROM claim_line WHERE claim_id = 'C1' ORDER BY line_number"),
             try rows(history.db, "SELECT * FROM claim_diagnosis WHERE claim_id = 'C1'"),
             try rows(history.db, "SELECT * FROM dx_event WHERE claim_id = 'C1'"),
             try rows(history.db, "SELECT * FROM line_category WHERE claim_id = 'C1' ORDER BY 1, 2, 3")]
        }
        let before = try storedC1()
        #expect(before[1].count == 3)

        let report = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72131", dx: ["M5450"]),
            .init(claim: "C2", line: 1, member: "M1", start: "2024-03-01", dx: ["M5450"]),
            odd,
        ])
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsRead == 3)
        #expect(report.rowsLoaded == 1)
        #expect(try rejectSummary(report) == ["2 \(column) inconsistent_header", "4 \(column) inconsistent_header"])
        #expect(report.rejectsByKind == ["inconsistent_header": 2])
        #expect(report.claimsStored == 1)
        #expect(report.claimsReplaced == 0)
        #expect(try storedC1() == before)
        #expect(try history.db.scalarInt("SELECT load_id FROM claim WHERE claim_id = 'C1'") == first.loadID)
        #expect(try claimIDs(history) == ["C1", "C2"])
    }

    @Test func headerValuesAreComparedParsed() throws {
        let history = try TestHistory()
        let report = try history.load(Self.minimal + """
            C1,1,professional,M1,2024-06-03,M5450
            C1,2,Professional, M1 ,20240603,m54.50

            """, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsRejected == 0)
        #expect(report.warnings == 0)
        #expect(try rows(history.db, "SELECT count(*) FROM claim_line") == [[2]])
    }

    @Test func consistencyIsJudgedAmongAcceptedRowsOnly() throws {
        let history = try TestHistory()
        let report = try history.load(Self.dated + """
            C1,1,professional,M1,2024-03-01,,,M5450
            C1,2,institutional,M9,2024-03-05,,2024-02-30,M5450
            C1,3,professional,M1,2024-03-01,,,M5450

            """, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(try rejectSummary(report) == ["3 claim_line_start_date bad_date"])
        #expect(try rows(history.db, "SELECT line_number FROM claim_line ORDER BY 1") == [[1], [3]])
        #expect(try rows(history.db, "SELECT claim_type, member_id FROM claim") == [["professional", "M1"]])
    }

    @Test func diagnosesComeFromTheLowestNumberedLineWithAWarning() throws {
        let history = try TestHistory()
        let report = try history.loadClaims([
            .init(claim: "C1", line: 3, member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["M5450", "Z0000"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", dx: ["M5450", "Z0000"]),
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", dx: ["C50911"]),
            .init(claim: "C2", line: 1, member: "M1", start: "2024-03-01", dx: ["M5450"]),
            .init(claim: "C2", line: 2, member: "M1", start: "2024-03-01", dx: ["m54.50"]),
        ])
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsRejected == 0)
        #expect(report.warnings == 1)
        #expect(try rows(history.db, "SELECT position, code FROM claim_diagnosis WHERE claim_id = 'C1'") == [[1, "C50911"]])
        #expect(try rows(history.db, "SELECT category FROM dx_event WHERE claim_id = 'C1'") == [["CANCER"]])
        #expect(try rows(history.db, "SELECT count(*) FROM claim_line WHERE claim_id = 'C1'") == [[3]])
        #expect(try LoadLedger(history.db).all().last?.warnings == 1)
    }

    @Test func rowsOfOneClaimNeedNotBeAdjacent() throws {
        let history = try TestHistory()
        let report = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", dx: ["M5450"]),
            .init(claim: "C2", line: 1, member: "M2", start: "2024-03-01", dx: ["M5450"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", dx: ["M5450"]),
            .init(claim: "C3", line: 1, member: "M3", start: "2024-03-01", dx: ["M5450"]),
            .init(claim: "C1", line: 3, member: "M1", start: "2024-03-01", dx: ["M5450"]),
        ])
        try expectCountsAddUp(report, history.db)
        #expect(report.claimsStored == 3)
        #expect(report.warnings == 0)
        let lines: [[SQLiteValue]] = [[1, 2], [2, 4], [3, 6]]
        #expect(try rows(history.db, "SELECT line_number, source_line FROM claim_line WHERE claim_id = 'C1' ORDER BY 1") == lines)
        #expect(try rows(history.db, "SELECT count(*) FROM dx_event") == [[3]])
    }

    // MARK: Versions across loads

    @Test func aLaterLoadReplacesTheClaim() throws {
        let history = try TestHistory()
        let first = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["M5450"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", hcpcs: "72100", dx: ["M5450"]),
            .init(claim: "C1", line: 3, member: "M1", start: "2024-03-01", hcpcs: "99213", dx: ["M5450"]),
            .init(claim: "C2", line: 1, member: "M1", start: "2024-01-01", dx: ["M5450"]),
        ])
        #expect(first.claimsStored == 2)
        let second = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M7", start: "2024-04-01", hcpcs: "72131", dx: ["C50911"]),
            .init(claim: "C1", line: 2, member: "M7", start: "2024-04-01", hcpcs: "99213", dx: ["C50911"]),
        ])
        try expectCountsAddUp(second, history.db)
        #expect(second.claimsStored == 1)
        #expect(second.claimsReplaced == 1)
        let lines: [[SQLiteValue]] = [[1, "72131", .integer(second.loadID)], [2, "99213", .integer(second.loadID)]]
        #expect(try rows(history.db, "SELECT line_number, hcpcs_code, load_id FROM claim_line WHERE claim_id = 'C1' ORDER BY 1") == lines)
        #expect(try rows(history.db, "SELECT member_id, start_day, load_id FROM claim WHERE claim_id = 'C1'")
                == [["M7", day("2024-04-01"), .integer(second.loadID)]])
        #expect(try rows(history.db, "SELECT code FROM claim_diagnosis WHERE claim_id = 'C1'") == [["C50911"]])
        let events: [[SQLiteValue]] = [["M1", "LOW_BACK_PAIN", "C2"], ["M7", "CANCER", "C1"]]
        #expect(try rows(history.db, "SELECT member_id, category, claim_id FROM dx_event ORDER BY 1") == events)
        #expect(try rows(history.db, "SELECT line_number, category FROM line_category WHERE claim_id = 'C1'") == [[1, "IMAGING_CT"]])
        #expect(try rows(history.db, "SELECT load_id FROM claim WHERE claim_id = 'C2'") == [[.integer(first.loadID)]])
    }

    @Test func partlyRejectedClaimIsTheNewVersionAndAllRejectedKeepsTheOld() throws {
        let history = try TestHistory()
        try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["M5450"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", hcpcs: "72100", dx: ["M5450"]),
        ])
        let partial = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72131", dx: ["M5450"]),
            .init(claim: "C1", line: 2, type: "dental", member: "M1", start: "2024-03-01", hcpcs: "72100", dx: ["M5450"]),
        ])
        try expectCountsAddUp(partial, history.db)
        #expect(partial.claimsReplaced == 1)
        #expect(try rows(history.db, "SELECT line_number, hcpcs_code FROM claim_line") == [[1, "72131"]])

        let rejected = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-02-30", hcpcs: "72148", dx: ["M5450"]),
        ])
        try expectCountsAddUp(rejected, history.db)
        #expect(rejected.rowsLoaded == 0)
        #expect(rejected.claimsStored == 0)
        #expect(try rows(history.db, "SELECT line_number, hcpcs_code, load_id FROM claim_line")
                == [[1, "72131", .integer(partial.loadID)]])
    }

    @Test func aVoidRemovesTheClaimEverywhere() throws {
        let history = try TestHistory()
        try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["M5450", "C50911"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", hcpcs: "72100", dx: ["M5450", "C50911"]),
            .init(claim: "C2", line: 1, member: "M1", start: "2024-03-02", hcpcs: "72148", dx: ["M5450"]),
        ])
        let void = try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", dx: ["M5450"], frequency: "1"),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", dx: ["M5450"], frequency: " 8 "),
        ])
        try expectCountsAddUp(void, history.db)
        #expect(void.rowsLoaded == 2)
        #expect(void.rowsRejected == 0)
        #expect(void.claimsVoided == 1)
        #expect(void.claimsStored == 0)
        #expect(void.voidsOfUnknownClaims == 0)
        for table in ["claim", "claim_line", "claim_diagnosis", "dx_event", "line_category"] {
            #expect(try rows(history.db, "SELECT count(*) FROM \(table) WHERE claim_id = 'C1'") == [[0]], "\(table)")
            #expect(try rows(history.db, "SELECT count(*) FROM \(table) WHERE claim_id = 'C2'") != [[0]], "\(table)")
        }
        #expect(try rows(history.db, "SELECT claim_id, load_id FROM claim_void") == [["C1", .integer(void.loadID)]])

        // A later version brings it back and clears the void.
        let again = try history.loadClaims([.init(claim: "C1", member: "M1", start: "2024-03-01", dx: ["M5450"], frequency: "7")])
        #expect(again.claimsStored == 1)
        #expect(try rows(history.db, "SELECT count(*) FROM claim_void") == [[0]])
        #expect(try rows(history.db, "SELECT frequency_code FROM claim WHERE claim_id = 'C1'") == [["7"]])
    }

    @Test func voidOfAClaimNeverStored() throws {
        let history = try TestHistory()
        try history.loadClaims([.init(claim: "C1", member: "M1", start: "2024-03-01", dx: ["M5450"])])
        let before = try databaseDigest(history.db)
        let report = try history.loadClaims([.init(claim: "C9", member: "M1", start: "2024-03-01", dx: ["M5450"], frequency: "8")])
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsLoaded == 1)
        #expect(report.claimsVoided == 0)
        #expect(report.voidsOfUnknownClaims == 1)
        let after = try databaseDigest(history.db)
        for table in ["claim", "claim_line", "claim_diagnosis", "dx_event", "line_category"] {
            #expect(after[table] == before[table], "\(table)")
        }
    }

    @Test func reloadingTheSameBytesChangesNothing() throws {
        let history = try TestHistory()
        let text = Self.minimal + "C1,1,professional,M1,2024-03-01,M5450\nC2,1,professional,M1,bad,M5450\n"
        let first = try history.load(text, kind: .claims, name: "march.csv")
        try expectCountsAddUp(first, history.db)
        let before = try databaseDigest(history.db)

        let sameName = try loadFile(history, path: history.directory.file("march.csv"), kind: .claims)
        let otherName = try history.load(text, kind: .claims, name: "march-resent.csv")
        for again in [sameName, otherName] {
            #expect(again.status == .alreadyLoaded)
            #expect(again.loadID == first.loadID)
            #expect(again.sha256 == first.sha256)
            #expect(counts(again) == [2, 1, 1])
            #expect(again.rejectsFile == nil)
        }
        #expect(try databaseDigest(history.db) == before)
        #expect(!FileManager.default.fileExists(atPath: history.directory.file("march-resent.csv.rejects.csv")))
        // One more byte is another file.
        let changed = try history.load(text + "\n", kind: .claims, name: "march-fixed.csv")
        #expect(changed.status == .loaded)
        #expect(changed.loadID != first.loadID)
    }

    @Test func ledgerRecordsTheFile() throws {
        let history = try TestHistory()
        let text = Self.minimal + "C1,1,professional,M1,2024-03-01,M5450\n"
        let report = try history.load(text, kind: .claims, name: "jan.csv")
        let entry = try #require(try LoadLedger(history.db).all().last)
        #expect(entry.loadID == report.loadID)
        #expect(entry.kind == "claims")
        #expect(entry.fileName == "jan.csv")
        #expect(entry.fileSize == Int64(text.utf8.count))
        #expect(entry.sha256 == report.sha256)
        #expect(entry.sha256.count == 64 && entry.sha256.allSatisfy(\.isHexDigit))
        #expect(entry.claimsStored == 1)
        #expect(entry.loadedAt == "2026-01-01T00:00:00Z")
        #expect(report.bytes == Int64(text.utf8.count))
        #expect(report.file == history.directory.file("jan.csv"))
    }

    // MARK: Rejects file

    @Test func rejectsFileHoldsEveryRejectedRow() throws {
        let history = try TestHistory()
        let text = Self.minimal
            + "C1,1,professional,M1,2024-03-01,M5450\n"
            + "\"C2\nsecond line\",1,professional,M1,2024-13-01,M5450\n"
            + "C3,1,professional,,2024-03-01,M5450\r\n"
            + "C4,1,\"pro, \"\"fessional\"\"\",M1,2024-03-01,\"M54.50\"\n"
        let report = try history.load(text, kind: .claims, name: "feb.csv")
        try expectCountsAddUp(report, history.db)
        let path = try #require(report.rejectsFile)
        #expect(path == history.directory.file("feb.csv.rejects.csv"))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let rejects = try readRejects(path)
        let source = history.directory.file("feb.csv")
        #expect(rejects == [
            RejectRow(sourceFile: source, line: 3, column: "claim_start_date", kind: "bad_date",
                      message: "claim_start_date is not a real date in YYYY-MM-DD or YYYYMMDD form",
                      raw: "\"C2\nsecond line\",1,professional,M1,2024-13-01,M5450"),
            RejectRow(sourceFile: source, line: 5, column: "member_id", kind: "empty_required",
                      message: "member_id is required", raw: "C3,1,professional,,2024-03-01,M5450"),
            RejectRow(sourceFile: source, line: 6, column: "claim_type", kind: "bad_value",
                      message: "claim_type must be professional, institutional or undetermined",
                      raw: "C4,1,\"pro, \"\"fessional\"\"\",M1,2024-03-01,\"M54.50\""),
        ])
        #expect(report.rejectsByKind == ["bad_date": 1, "empty_required": 1, "bad_value": 1])
    }

    @Test func rejectsOfInconsistentClaimsKeepTheirRawLines() throws {
        let history = try TestHistory()
        let text = Self.minimal
            + "\"C1\",1,professional,M1,2024-03-01,\"M54.50,\nsee notes\"\n"
            + "C2,1,professional,M1,2024-03-01,M5450\n"
            + "C1,2,institutional,M1,2024-03-01,M5450\n"
        let report = try history.load(text, kind: .claims)
        try expectCountsAddUp(report, history.db)
        let rejects = try readRejects(try #require(report.rejectsFile))
        #expect(rejects.map(\.line) == [2, 5])
        #expect(rejects.map(\.raw) == [
            "\"C1\",1,professional,M1,2024-03-01,\"M54.50,\nsee notes\"",
            "C1,2,institutional,M1,2024-03-01,M5450",
        ])
        #expect(rejects.allSatisfy { $0.kind == "inconsistent_header" && $0.column == "claim_type" })
    }

    @Test func noRejectsNoFile() throws {
        let history = try TestHistory()
        let report = try history.loadClaims([.init(claim: "C1", member: "M1", start: "2024-03-01", dx: ["M5450"])], name: "clean.csv")
        #expect(report.rejectsFile == nil)
        #expect(report.rejectsByKind.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: history.directory.file("clean.csv.rejects.csv")))
    }

    // MARK: Files that cannot be loaded

    private func expectUnchanged(_ history: TestHistory, by load: () throws -> Void) throws -> IngestError? {
        let before = try databaseDigest(history.db)
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: history.directory.path)
        let error = #expect(throws: IngestError.self) { try load() }
        #expect(try databaseDigest(history.db) == before)
        let added = Set(try FileManager.default.contentsOfDirectory(atPath: history.directory.path)).subtracting(filesBefore)
        #expect(added.allSatisfy { !$0.contains("rejects") && !$0.contains("partial") }, "left behind: \(added)")
        #expect(!history.db.inTransaction)
        return error
    }

    private func loadedHistory() throws -> TestHistory {
        let history = try TestHistory()
        try history.loadClaims([
            .init(claim: "C1", member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["M5450"]),
            .init(claim: "C2", member: "M1", start: "bad", dx: ["M5450"]),
        ])
        return history
    }

    @Test func aMissingRequiredColumnFailsTheFile() throws {
        let history = try loadedHistory()
        let error = try expectUnchanged(history) {
            try history.load("claim_id,claim_line_number,member_id,claim_start_date,diagnosis_code_1\nC5,1,M1,2024-03-01,M5450\n",
                             kind: .claims, name: "no-type.csv")
        }
        guard case .missingColumns(let path, let columns)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == history.directory.file("no-type.csv"))
        #expect(columns == ["claim_type"])
        #expect(error?.description == "\(path): missing required column claim_type")
    }

    @Test func severalMissingColumnsAreNamed() throws {
        let history = try loadedHistory()
        let error = try expectUnchanged(history) {
            try history.load("claim_id,claim_line_number,claim_start_date,payer\nC5,1,2024-03-01,X\n", kind: .claims)
        }
        guard case .missingColumns(_, let columns)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(columns == ["claim_type", "member_id", "diagnosis_code_1"])
        #expect(error?.description.contains("missing required columns claim_type, member_id, diagnosis_code_1") == true)
    }

    @Test func duplicateColumnNamesFailTheFile() throws {
        let history = try loadedHistory()
        let error = try expectUnchanged(history) {
            try history.load("claim_id,claim_line_number,claim_type,member_id,claim_start_date,diagnosis_code_1,Claim_ID\n"
                             + "C5,1,professional,M1,2024-03-01,M5450,C5\n", kind: .claims)
        }
        guard case .duplicateColumns(_, let positions)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(positions == [7])
        #expect(error?.description.contains("field 7") == true)
    }

    @Test func anEmptyFileFails() throws {
        let history = try loadedHistory()
        for text in ["", "\n\n", "\r\n"] {
            let error = try expectUnchanged(history) { try history.load(text, kind: .claims) }
            guard case .emptyFile? = error else { Issue.record("got \(String(describing: error))"); continue }
        }
    }

    @Test func aHeaderOnlyFileLoadsNothing() throws {
        let history = try TestHistory()
        let report = try history.load(Self.minimal, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(report.status == .loaded)
        #expect(counts(report) == [0, 0, 0])
        #expect(try LoadLedger(history.db).all().count == 1)
    }

    @Test func aBinaryFileIsNotText() throws {
        let history = try loadedHistory()
        var state: UInt32 = 12_345
        let bytes: [UInt8] = [0x00, 0xFF, 0xFE, 0x00, 0x13] + (0..<4096).map { _ in
            state = state &* 1_103_515_245 &+ 12_345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        let path = history.directory.write("image.csv", bytes: bytes)
        let error = try expectUnchanged(history) { _ = try loadFile(history, path: path, kind: .claims) }
        guard case .notText(let errorPath, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(errorPath == path)
    }

    @Test func aMissingFileIsUnreadable() throws {
        let history = try loadedHistory()
        let path = history.directory.file("absent.csv")
        let error = try expectUnchanged(history) { _ = try loadFile(history, path: path, kind: .claims) }
        guard case .unreadable(let errorPath, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(errorPath == path)
    }

    @Test func aTruncatedGzipFileChangesNothing() throws {
        let history = try loadedHistory()
        var text = Self.minimal
        for i in 0..<3_000 { text += "T\(i),1,professional,M\(i % 97),2024-03-\(i % 2 == 0 ? "01" : "32"),M5450\n" }
        let compressed = try gzipped(text, in: history.directory)
        let path = history.directory.write("cut.csv.gz", bytes: Array(compressed.prefix(compressed.count * 2 / 3)))
        let error = try expectUnchanged(history) { _ = try loadFile(history, path: path, kind: .claims) }
        guard case .unreadable(_, let reason)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("truncated"))
    }

    @Test func aRejectsFolderThatDoesNotExistFailsTheFileWithRejects() throws {
        let history = try loadedHistory()
        let loader = ExtractLoader(db: history.db, options: .init(rejectsDirectory: history.directory.file("missing/folder"),
                                                                  clock: history.clock))
        let clean = history.directory.write("clean.csv", Self.minimal + "C7,1,professional,M1,2024-03-01,M5450\n")
        let dirty = history.directory.write("dirty.csv", Self.minimal + "C8,1,professional,M1,2024-03-01,M5450\nC9,1,x,M1,2024-03-01,M5450\n")
        let error = try expectUnchanged(history) { _ = try loader.load(path: dirty, kind: .claims) }
        guard case .cannotWriteRejects? = error else { Issue.record("got \(String(describing: error))"); return }
        // A file without rejects never needs the folder.
        let report = try loader.load(path: clean, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(report.rejectsFile == nil)
        #expect(try claimIDs(history) == ["C1", "C7"])
    }

    @Test func progressIsReportedEveryNRows() throws {
        let history = try TestHistory()
        let text = Self.minimal + (1...7).map { "P\($0),1,professional,M1,2024-03-01,M5450\n" }.joined()
        let path = history.directory.write("progress.csv", text)
        final class Seen: @unchecked Sendable { var rows: [Int] = []; var bytes: [Int64] = []; var totals: [Int64] = [] }
        let seen = Seen()
        let loader = ExtractLoader(db: history.db, options: .init(rejectsDirectory: history.directory.path, progressEvery: 3,
                                                                  clock: history.clock)) { progress in
            seen.rows.append(progress.rowsRead)
            seen.bytes.append(progress.bytesConsumed)
            seen.totals.append(progress.totalBytes)
            #expect(progress.file == path)
        }
        let report = try loader.load(path: path, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(seen.rows == [3, 6])
        #expect(seen.totals.allSatisfy { $0 == Int64(text.utf8.count) })
        #expect(seen.bytes.allSatisfy { $0 > 0 && $0 <= Int64(text.utf8.count) })
    }

    // MARK: Formats

    @Test func aGzipFileLoadsLikeThePlainFile() throws {
        var text = Self.dated
        for i in 0..<300 {
            let claim = i / 3, line = i % 3 + 1
            let start = i % 30 == 0 ? "2024-02-30" : "2024-03-\(10 + claim % 18)"
            let dx = claim % 4 == 0 ? "M54.50" : (line == 2 && claim % 5 == 0 ? "M5450" : "C50911")
            text += "G\(claim),\(line),professional,M\(claim / 10),\(start),,\(i % 2 == 0 ? "20240401" : ""),\(dx)\n"
        }
        let plain = try TestHistory()
        let zipped = try TestHistory()
        let plainReport = try plain.load(text, kind: .claims, name: "month.csv")
        let path = zipped.directory.write("month.csv.gz", bytes: try gzipped(text, in: zipped.directory))
        let zippedReport = try loadFile(zipped, path: path, kind: .claims)
        try expectCountsAddUp(zippedReport, zipped.db)
        #expect(zippedReport.rowsRead == 300)
        #expect(zippedReport.rowsRejected > 0)
        #expect(counts(zippedReport) == counts(plainReport))
        #expect(zippedReport.warnings == plainReport.warnings)
        #expect(zippedReport.claimsStored == plainReport.claimsStored)
        let a = try databaseDigest(plain.db), b = try databaseDigest(zipped.db)
        for table in ["claim", "claim_line", "claim_diagnosis", "dx_event", "line_category", "claim_void"] {
            #expect(a[table] == b[table], "\(table)")
            #expect(a[table] != nil)
        }
        let plainRejects = try readRejects(try #require(plainReport.rejectsFile)).map { [String($0.line), $0.column, $0.kind, $0.raw] }
        let zippedRejects = try readRejects(try #require(zippedReport.rejectsFile)).map { [String($0.line), $0.column, $0.kind, $0.raw] }
        #expect(plainRejects == zippedRejects)
        #expect(zippedReport.bytes < plainReport.bytes)
    }

    @Test func icd9ClaimsCreateNoEvents() throws {
        let history = try TestHistory()
        let report = try history.load("""
            claim_id,claim_line_number,claim_type,member_id,claim_start_date,diagnosis_code_type,diagnosis_code_1
            C1,1,professional,M1,2024-03-01,icd-9-cm,M54.50
            C2,1,professional,M1,2024-03-01,ICD-9-CM,724.2
            C3,1,professional,M1,2024-03-01,icd-10-cm,M54.50
            C4,1,professional,M1,2024-03-01,,M54.50
            C5,1,professional,M1,2024-03-01,icd10,M54.50

            """, kind: .claims)
        try expectCountsAddUp(report, history.db)
        let types: [[SQLiteValue]] = [["C1", "icd-9-cm"], ["C2", "icd-9-cm"], ["C3", "icd-10-cm"], ["C4", "icd-10-cm"], ["C5", "icd-10-cm"]]
        #expect(try rows(history.db, "SELECT claim_id, dx_code_type FROM claim ORDER BY 1") == types)
        #expect(try rows(history.db, "SELECT claim_id, code FROM claim_diagnosis WHERE claim_id IN ('C1', 'C2') ORDER BY 1")
                == [["C1", "M5450"], ["C2", "7242"]])
        let events: [[SQLiteValue]] = [["C3"], ["C4"], ["C5"]]
        #expect(try rows(history.db, "SELECT claim_id FROM dx_event ORDER BY 1") == events)
        try ValueSetStore(history.db).rebuildDerivedEvents()
        #expect(try rows(history.db, "SELECT claim_id FROM dx_event ORDER BY 1") == events)
    }

    @Test func headerNamesAnyCaseUnusedColumnsReported() throws {
        let history = try TestHistory()
        let report = try history.load("""
            \u{FEFF}CLAIM_ID, Claim_Line_Number ,claim_type,Member_ID,extra_col,claim_start_date,DIAGNOSIS_CODE_1,Another\r
            C1,1,professional,M1,x,2024-03-01,M5450,y\r

            """, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(report.rowsLoaded == 1)
        #expect(report.ignoredColumns == ["extra_col", "Another"])
        #expect(try rows(history.db, "SELECT claim_id, member_id FROM claim") == [["C1", "M1"]])
    }

    @Test(arguments: ["|", "\t"])
    func pipeAndTabClaimFiles(delimiter: String) throws {
        let history = try TestHistory()
        let text = """
            claim_id,claim_line_number,claim_type,member_id,claim_start_date,diagnosis_code_1,diagnosis_code_2
            C1,1,professional,M1,2024-03-01,M54.50,"C50,911"
            C2,1,professional,M1,2024-03-01,M5450

            """.replacingOccurrences(of: ",", with: delimiter).replacingOccurrences(of: "C50\(delimiter)911", with: "C50,911")
        let report = try history.load(text, kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(report.delimiter == delimiter)
        #expect(try rejectSummary(report) == ["3  malformed_row"])
        #expect(try rows(history.db, "SELECT position, code FROM claim_diagnosis ORDER BY 1") == [[1, "M5450"], [2, "C50,911"]])
    }
}
