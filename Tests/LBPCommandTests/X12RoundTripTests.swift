import Foundation
import History
import SQLiteDB
import Testing
import TestSupport

/// The same book loaded as Tuva CSV and as X12 837 gives the same stored history and decisions.
@Suite("lbp load claims: X12")
struct X12RoundTripTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A small book: LBP visits, imaging (professional and institutional, RD8 line ranges), red
    /// flags, ICD-9 claims; a second month with replacements (7) and voids (8).
    static func book() -> (eligibility: [EligibilityRow], months: [[TestClaim837]]) {
        var rng = SplitMix64(seed: 7)
        func date(_ day: Int) -> String {
            var components = DateComponents()
            components.year = 2024; components.month = 1; components.day = 1 + day
            let d = Calendar(identifier: .gregorian).date(from: components)!
            let f = DateFormatter()
            f.calendar = Calendar(identifier: .gregorian); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyyMMdd"
            return f.string(from: d)
        }
        let flags = ["S32000A", "C50911", "F1120", "G834", "M4626", "I10"]
        var january: [TestClaim837] = [], february: [TestClaim837] = []
        var eligibility: [EligibilityRow] = []
        for n in 1...24 {
            let member = "M\(n)"
            eligibility.append(EligibilityRow(member: member, start: n % 11 == 0 ? "2023-12-01" : "2023-01-01"))
            let visit = rng.next(upTo: 20)
            let icd9 = n % 9 == 0
            january.append(TestClaim837(id: "V\(n)", member: member, diagnoses: [icd9 ? "7242" : "M5450"], icd9: icd9, lines: [
                TestLine837(number: 1, first: date(visit), hcpcs: "99213"),
            ]))
            let gap = rng.next(upTo: 40)
            let other = n % 3 == 0 ? [flags[n % flags.count]] : []
            let imaging: TestClaim837
            if n % 4 == 0 {
                imaging = TestClaim837(id: "I\(n)", institutional: true, member: member, diagnoses: ["M545"] + other,
                                       statement: (date(visit + gap), date(visit + gap + 1)), lines: [
                                           TestLine837(number: 1, hcpcs: "99284", revenue: "0450"),
                                           TestLine837(number: 2, first: date(visit + gap + 1), hcpcs: "72131", revenue: "0350"),
                                       ])
            } else {
                imaging = TestClaim837(id: "I\(n)", member: member, diagnoses: [icd9 ? "7242" : "M5450"] + other, icd9: icd9, lines: [
                    TestLine837(number: 1, first: date(visit + gap), hcpcs: "99213"),
                    TestLine837(number: 2, first: date(visit + gap), last: n % 5 == 0 ? date(visit + gap + 2) : nil,
                                hcpcs: n % 2 == 0 ? "72148" : "72100", modifiers: n % 6 == 0 ? ["26", "RT"] : [], placeOfService: n % 7 == 0 ? "22" : ""),
                ])
            }
            january.append(imaging)
            if n % 5 == 1 {
                var replaced = imaging
                replaced.frequency = "7"
                replaced.lines.removeLast()
                february.append(replaced)
            } else if n % 5 == 2 {
                var voided = january[january.count - 2]
                voided.frequency = "8"
                february.append(voided)
            } else if n % 5 == 3 {
                february.append(TestClaim837(id: "T\(n)", member: member, diagnoses: ["S32010A"], lines: [
                    TestLine837(number: 1, first: date(visit + gap + 3), hcpcs: "99284", placeOfService: "23"),
                ]))
            }
        }
        return (eligibility, [january, february])
    }

    /// Loads the book in one format, decides, and returns (export, history tables).
    func run(_ format: String, book: (eligibility: [EligibilityRow], months: [[TestClaim837]]), in directory: TemporaryDirectory) throws -> (String, [String: [String]]) {
        let folder = directory.file(format)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let database = folder + "/lbp.sqlite"
        let eligibility = folder + "/eligibility.csv"
        try EligibilityRow.csv(book.eligibility).write(toFile: eligibility, atomically: true, encoding: .utf8)
        var files: [String] = []
        for (index, month) in book.months.enumerated() {
            // The same name in both folders: the format is judged by content alone.
            let path = folder + "/claims_2024_0\(index + 1).dat"
            let text = format == "x12" ? X12ClaimWriter.interchange(month) : X12ClaimWriter.csv(month)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        for arguments in [["load", "eligibility", eligibility], ["load", "claims"] + files, ["decide"]] {
            let result = try runLBP(arguments + ["--database", database], in: folder)
            #expect(result.exitCode == 0, "\(format) \(arguments[0]): \(result.stderr)")
        }
        let export = try runLBP(["export", "--format", "csv", "--database", database], in: folder)
        #expect(export.exitCode == 0)
        // Ledger hashes and decision times differ between the runs; everything else must not.
        let normalized = export.stdout
            .replacingOccurrences(of: "[0-9a-f]{64}", with: "<sha256>", options: .regularExpression)
            .replacingOccurrences(of: "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z", with: "<time>", options: .regularExpression)
        let db = try HistoryDatabase.open(path: database, readOnly: true)
        var tables: [String: [String]] = [:]
        let queries = [
            "claim": "SELECT claim_id, claim_type, member_id, start_day, end_day, dx_code_type, frequency_code, payer FROM claim",
            "claim_line": "SELECT claim_id, line_number, service_day, line_start_day, hcpcs_code, hcpcs_modifier_1, hcpcs_modifier_2, revenue_center_code, bill_type_code, place_of_service_code, charge_amount FROM claim_line",
            "claim_diagnosis": "SELECT * FROM claim_diagnosis",
            "dx_event": "SELECT * FROM dx_event",
            "line_category": "SELECT * FROM line_category",
            "claim_void": "SELECT claim_id FROM claim_void",
        ]
        for (table, sql) in queries {
            var rows: [String] = []
            try db.forEach(sql) { row in rows.append((0..<row.columnCount).map { "\(row.value($0))" }.joined(separator: "|")) }
            tables[table] = rows.sorted()
        }
        return (normalized, tables)
    }

    @Test func aBookLoadedAsCSVAndAsX12GivesTheSameHistoryAndDecisions() throws {
        let directory = TemporaryDirectory()
        let book = Self.book()
        let (csvExport, csvTables) = try run("csv", book: book, in: directory)
        let (x12Export, x12Tables) = try run("x12", book: book, in: directory)
        #expect(csvTables == x12Tables)
        #expect(csvExport == x12Export)
        // Not trivially equal: the book has denials and allowances, voids, ICD-9 claims and institutional lines.
        #expect(csvExport.contains(",DENY,") && csvExport.contains(",ALLOW,"))
        #expect((csvTables["claim_void"] ?? []).count >= 4)
        #expect((csvTables["claim"] ?? []).contains { $0.contains("icd-9-cm") } && (csvTables["claim"] ?? []).contains { $0.contains("institutional") })
        #expect((csvTables["line_category"] ?? []).count >= 15)
    }

    @Test func theSampleBookAsX12GivesTheExpectedDecisions() throws {
        let directory = TemporaryDirectory()
        let samples = Self.packageRoot + "/Samples"
        let database = directory.file("lbp.sqlite")
        let x12 = (1...3).map { samples + "/x12/medical_claim_2024_0\($0).837" }
        let rejects = ["--rejects-dir", directory.path]
        for arguments in [["load", "eligibility", samples + "/eligibility.csv"] + rejects, ["load", "claims"] + x12 + rejects,
                          ["decide", "--out", directory.file("decisions.csv")]] {
            let result = try runLBP(arguments + ["--database", database], in: directory.path)
            #expect(result.exitCode == 0, "\(arguments): \(result.stderr)")
        }
        func table(_ text: String) -> [[String: String]] {
            let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
        }
        let expected = table(try String(contentsOfFile: samples + "/expected_decisions.csv", encoding: .utf8))
        let got = table(try String(contentsOfFile: directory.file("decisions.csv"), encoding: .utf8))
        let columns = ["claim_id", "claim_line_number", "member_id", "outcome", "reason"]
        func project(_ rows: [[String: String]]) -> [String] { rows.map { row in columns.map { row[$0] ?? "?" }.joined(separator: ",") }.sorted() }
        #expect(expected.count > 20)
        #expect(project(got) == project(expected))
    }
}
