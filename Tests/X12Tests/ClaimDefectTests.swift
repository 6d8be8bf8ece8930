import Testing
import TestSupport
@testable import X12

/// Claims that cannot become valid rows: every line is presented with the defect, at the CLM.
@Suite
struct ClaimDefectTests {
    static let line = ["LX*1", "SV1*HC:72100*50*UN*1", "DTP*472*D8*20240305", "LX*2", "SV1*HC:99213*50*UN*1", "DTP*472*D8*20240305"]

    /// Records of one professional claim whose body is `rest` (CLM is segment 11), then a good claim.
    func read(_ rest: [String], clm: String = "CLM*BAD*100***11:B:1*Y*A*Y*Y", member: String = "M1") throws -> [ReadRecord] {
        let body = ["HL*1**20*1", "HL*2*1*22*0", "NM1*IL*1*D*J****MI*\(member)", clm] + rest
            + ["HL*3*1*22*0", "NM1*IL*1*D*J****MI*M2", "CLM*GOOD*1***11:B:1", "HI*ABK:M545", "LX*1", "SV1*HC:99213*1*UN*1", "DTP*472*D8*20240301"]
        return try readAll(interchange(body)).records
    }

    func expectRejected(_ records: [ReadRecord], rows: Int, column: String, kind: ClaimDefect.Kind, message: String? = nil,
                        clm: String = "CLM*BAD*100***11:B:1*Y*A*Y*Y", sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(records.count == rows + 1, sourceLocation: sourceLocation)
        for record in records.dropLast() {
            #expect(record.segment == 7, "the CLM's segment number", sourceLocation: sourceLocation)
            #expect(record.raw == clm + "~", "the raw line is the CLM segment", sourceLocation: sourceLocation)
            #expect(record.defect?.column == column && record.defect?.kind == kind, "\(record)", sourceLocation: sourceLocation)
            if let message { #expect(record.defect?.message == message, sourceLocation: sourceLocation) }
        }
        #expect(records.last?.defect == nil && records.last?["claim_id"] == "GOOD", "the next claim reads on", sourceLocation: sourceLocation)
    }

    @Test func missingClaimID() throws {
        expectRejected(try read(["HI*ABK:M545"] + Self.line, clm: "CLM**100***11:B:1"), rows: 2, column: "claim_id", kind: .emptyRequired,
                       message: "the claim has no claim id (CLM01)", clm: "CLM**100***11:B:1")
    }

    @Test func missingMember() throws {
        expectRejected(try read(["HI*ABK:M545"] + Self.line, member: ""), rows: 2, column: "member_id", kind: .emptyRequired)
    }

    @Test func noPrincipalDiagnosis() throws {
        // Only other diagnoses, an admitting diagnosis, or a qualifier without a code.
        for hi in ["HI*ABF:M545", "HI*ABJ:M545*APR:M545", "HI*ABK*M545", "HI*ABK:"] {
            expectRejected(try read([hi] + Self.line), rows: 2, column: "diagnosis_code_1", kind: .emptyRequired,
                           message: "the claim has no principal diagnosis (HI with ABK or BK)")
        }
    }

    @Test func badDates() throws {
        for dtp in ["DTP*472*D8*20240230", "DTP*472*RD8*20240305-20240301", "DTP*472*RD9*20240301-20240305", "DTP*472*D8*2024-03-05"] {
            let lines = ["LX*1", "SV1*HC:72100*50*UN*1", dtp]
            expectRejected(try read(["HI*ABK:M545"] + lines), rows: 1, column: "claim_line_start_date", kind: .badDate,
                           message: "the service date DTP*472 at segment 11 is not a D8 date or RD8 range of real dates")
        }
    }

    @Test func noLinesCountsAsOneRow() throws {
        expectRejected(try read(["HI*ABK:M545"]), rows: 1, column: "", kind: .malformed,
                       message: "the claim has no service lines (LX with SV1 or SV2); it counts as one row")
    }

    @Test func malformedLines() throws {
        // An SV1 without its LX; a second SV1 in one LX loop; an LX without SV1; LX01 not a positive number.
        expectRejected(try read(["HI*ABK:M545", "SV1*HC:72100*50*UN*1", "DTP*472*D8*20240305"]), rows: 1, column: "", kind: .malformed,
                       message: "the service line at segment 9 has no LX segment before its SV1")
        expectRejected(try read(["HI*ABK:M545", "LX*1", "SV1*HC:72100*50*UN*1", "SV1*HC:72100*50*UN*1", "DTP*472*D8*20240305"]),
                       rows: 2, column: "", kind: .malformed)
        expectRejected(try read(["HI*ABK:M545", "LX*1", "DTP*472*D8*20240305"]), rows: 1, column: "", kind: .malformed,
                       message: "the service line at segment 9 has no SV1 or SV2")
        for lx in ["LX*0", "LX*A", "LX*", "LX*-1", "LX*1.5"] {
            expectRejected(try read(["HI*ABK:M545", lx, "SV1*HC:72100*50*UN*1", "DTP*472*D8*20240305"]), rows: 1,
                           column: "claim_line_number", kind: .badInteger)
        }
    }

    @Test func professionalClaimWithoutAnyServiceDate() throws {
        expectRejected(try read(["HI*ABK:M545", "LX*1", "SV1*HC:72100*50*UN*1"]), rows: 1, column: "claim_start_date", kind: .emptyRequired,
                       message: "no service line of the professional claim has a date (DTP*472)")
    }

    @Test func institutionalClaimWithoutStatementDates() throws {
        let body = ["HL*2**22*0", "NM1*IL*1*D*J****MI*M1", "CLM*I1*1***13:A:1", "HI*ABK:M545", "LX*1", "SV2*0450*HC:99284*1", "DTP*472*D8*20240301"]
        let records = try readAll(interchange(body, version: "005010X223A2")).records
        #expect(records.map { $0.defect } == [.noStatementDates])
    }

    @Test func serviceLinesOutsideAClaimAreRejectedNotDropped() throws {
        let body = ["HL*1**20*1", "HL*2*1*22*0", "NM1*IL*1*D*J****MI*M1", "LX*1", "SV1*HC:72100*50*UN*1", "LX*2", "SV1*HC:72100*50*UN*1"]
        let records = try readAll(interchange(body)).records
        #expect(records.map(\.segment) == [7, 7])
        #expect(records.allSatisfy { $0.defect == .lineOutsideClaim && $0.raw == "LX*1~" })
    }

    @Test func segmentsTooLongOrWithNULRejectTheirClaim() throws {
        let body = ["HL*1**20*1", "HL*2*1*22*0", "NM1*IL*1*D*J****MI*M1", "CLM*C1*1***11:B:1", "HI*ABK:M545",
                    "NTE*ADD*" + String(repeating: "X", count: 5_000), "LX*1", "SV1*HC:72100*50*UN*1", "DTP*472*D8*20240305"]
        let records = try readAll(bytes: Array(interchange(body).utf8), maxSegmentBytes: 1_000).records
        #expect(records.map { $0.defect?.message } == ["segment 9 is longer than the reader's limit"])
        let nul = interchange(["HL*2**22*0", "NM1*IL*1*D*J****MI*M1", "CLM*C1*1***11:B:1", "HI*ABK:M5\u{0}45", "LX*1",
                               "SV1*HC:72100*50*UN*1", "DTP*472*D8*20240305"])
        #expect(try readAll(nul).records.map { $0.defect?.message } == ["segment 7 holds a NUL byte"])
    }
}
