import DelimitedText
import Foundation
import History
import Ingest
import SQLiteDB
import Testing
import TestSupport

/// Loading X12 837 files through `ExtractLoader`: recognised by content, rows as a CSV extract
/// would give them, claim-level rejects at the CLM segment, file-level failures.
@Suite
struct X12LoadTests {
    static let claims = [
        TestClaim837(id: "C1", member: "M1", diagnoses: ["M5450", "S32000A"], lines: [
            TestLine837(number: 1, first: "20240305", hcpcs: "99213"), TestLine837(number: 2, first: "20240306", hcpcs: "72148"),
        ]),
        TestClaim837(id: "C2", institutional: true, member: "M2", diagnoses: ["M545"], statement: ("20240301", "20240302"), lines: [
            TestLine837(number: 1, hcpcs: "72131", revenue: "0350"),
        ]),
    ]

    @Test func anX12FileLoadsWhateverItsNameAndGzipped() throws {
        let history = try TestHistory()
        let text = X12ClaimWriter.interchange(Self.claims)
        let report = try loadFile(history, path: history.directory.write("march.csv", text), kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(counts(report) == [3, 3, 0])
        #expect(report.format == .x12 && report.claimsStored == 2 && report.envelopeWarnings.isEmpty)
        #expect(try rows(history.db, "SELECT claim_id, claim_type, member_id, start_day, end_day, dx_code_type FROM claim ORDER BY claim_id")
                == [[.text("C1"), .text("professional"), .text("M1"), day("2024-03-05"), day("2024-03-06"), .text("icd-10-cm")],
                    [.text("C2"), .text("institutional"), .text("M2"), day("2024-03-01"), day("2024-03-02"), .text("icd-10-cm")]])
        let lines = try rows(history.db, "SELECT claim_id, line_number, service_day, hcpcs_code, revenue_center_code, bill_type_code, source_line FROM claim_line ORDER BY 1, 2")
        #expect(lines == [[.text("C1"), .integer(1), day("2024-03-05"), .text("99213"), .null, .null, .integer(16)],
                    [.text("C1"), .integer(2), day("2024-03-06"), .text("72148"), .null, .null, .integer(19)],
                    [.text("C2"), .integer(1), day("2024-03-01"), .text("72131"), .text("0350"), .text("131"), .integer(38)]], "\(lines)")
        #expect(try rows(history.db, "SELECT claim_id, position, code FROM claim_diagnosis ORDER BY 1, 2")
                == [[.text("C1"), .integer(1), .text("M5450")], [.text("C1"), .integer(2), .text("S32000A")], [.text("C2"), .integer(1), .text("M545")]])

        // The same claims, gzipped and with a void of C1: detected through the compression.
        var void = Self.claims[0]
        void.frequency = "8"
        let gz = try gzipped(X12ClaimWriter.interchange([void]), in: history.directory)
        let second = try loadFile(history, path: history.directory.write("april.dat.gz", bytes: gz), kind: .claims)
        #expect(counts(second) == [2, 2, 0] && second.claimsVoided == 1)
        #expect(try history.db.scalarInt("SELECT count(*) FROM claim WHERE claim_id = 'C1'") == 0)
    }

    @Test func rejectedClaimsAreAtTheirCLMSegmentAndCountsAddUp() throws {
        let history = try TestHistory()
        var noDx = Self.claims[0]
        noDx.id = "BAD"
        noDx.diagnoses = []
        var badDate = Self.claims[1]
        badDate.id = "BAD2"
        badDate.statement = ("20240230", "20240230")
        let text = X12ClaimWriter.interchange([noDx, Self.claims[0], badDate])
        let report = try loadFile(history, path: history.directory.write("x.837", text), kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(counts(report) == [5, 2, 3])
        let rejects = try readRejects(try #require(report.rejectsFile))
        let clm = text.split(separator: "\n").map(String.init)
        let badCLM = clm.firstIndex { $0.hasPrefix("CLM*BAD*") }! + 1
        let bad2CLM = clm.firstIndex { $0.hasPrefix("CLM*BAD2*") }! + 1
        #expect(rejects.map { "\($0.line) \($0.column) \($0.kind) \($0.raw)" } == [
            "\(badCLM) diagnosis_code_1 empty_required \(clm[badCLM - 1])",
            "\(badCLM) diagnosis_code_1 empty_required \(clm[badCLM - 1])",
            "\(bad2CLM) claim_start_date bad_date \(clm[bad2CLM - 1])",
        ])
        #expect(rejects.allSatisfy { !$0.message.contains("BAD") && !$0.message.contains("M1") }, "no ids in messages")
        #expect(try history.db.scalarInt("SELECT count(*) FROM claim") == 1)
    }

    @Test func theSameClaimTwiceInOneFileIsJudgedAsInACSV() throws {
        // The second copy has another member: every row of the claim is rejected as inconsistent,
        // with the raw line of each service line (re-read from the X12 file).
        let history = try TestHistory()
        var other = Self.claims[0]
        other.member = "M9"
        other.lines = [TestLine837(number: 3, first: "20240305", hcpcs: "99213")]
        let text = X12ClaimWriter.interchange([Self.claims[0], other])
        let report = try loadFile(history, path: history.directory.write("twice.837", text), kind: .claims)
        try expectCountsAddUp(report, history.db)
        #expect(counts(report) == [3, 0, 3])
        let rejects = try readRejects(try #require(report.rejectsFile)).sorted { $0.line < $1.line }
        #expect(rejects.map(\.kind) == ["inconsistent_header", "inconsistent_header", "inconsistent_header"])
        #expect(rejects.map(\.raw) == ["LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20240305~",
                                       "LX*2~SV1*HC:72148*100*UN*1***1~DTP*472*D8*20240306~",
                                       "LX*3~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20240305~"])
    }

    @Test func fileLevelFailuresLeaveTheDatabaseUnchanged() throws {
        let history = try TestHistory()
        try history.loadClaims([ClaimRow(claim: "K1", member: "M1", start: "2024-01-01", dx: ["M545"])])
        let before = try databaseDigest(history.db)
        let good = X12ClaimWriter.interchange(Self.claims)
        let cases: [(String, [UInt8], String)] = [
            ("no IEA", Array(good.replacingOccurrences(of: "IEA*2*000000001\n", with: "").replacingOccurrences(of: "IEA*2*000000001~\n", with: "").utf8),
             "the file ends inside the interchange opened at segment 1"),
            ("short ISA", Array(good.replacingOccurrences(of: "*00*          *00*", with: "*00*         *00*").utf8), "ISA02 does not have its fixed width"),
            ("UTF-16", [0xFF, 0xFE] + good.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, "UTF-16"),
        ]
        for (label, bytes, message) in cases {
            let path = history.directory.write("bad-\(label).837", bytes: bytes)
            #expect {
                try loadFile(history, path: path, kind: .claims)
            } throws: { error in
                guard case IngestError.badX12 = error else { return false }
                return "\(error)".contains(message) && "\(error)".hasPrefix(path + ": cannot read the X12 file: ")
            }
            #expect(try databaseDigest(history.db) == before, "\(label)")
            #expect(!FileManager.default.fileExists(atPath: history.directory.file("bad-\(label).837.rejects.csv")))
        }
        // An X12 file given as eligibility.
        #expect(throws: IngestError.self) { try loadFile(history, path: history.directory.write("e.837", good), kind: .eligibility) }
        #expect(try databaseDigest(history.db) == before)
    }

    @Test func envelopeWarningsAreInTheReport() throws {
        let history = try TestHistory()
        let text = X12ClaimWriter.interchange(Self.claims).replacingOccurrences(of: "GE*1*1", with: "GE*5*1")
        let report = try loadFile(history, path: history.directory.write("w.837", text), kind: .claims)
        #expect(counts(report) == [3, 3, 0])
        #expect(report.envelopeWarnings.count == 1 && report.envelopeWarnings[0].contains("GE01 says 5 transaction sets; the file has 1"))
    }
}
