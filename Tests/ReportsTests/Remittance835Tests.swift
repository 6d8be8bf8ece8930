import DelimitedText
import Foundation
import History
import Policy
import Reports
import TestSupport
import Testing

/// The 835 remittance fragments of denied lines, segment by segment.
@Suite("835 remittance fragments")
struct Remittance835Tests {
    /// Claims with modifiers, revenue codes and charges (raw CSV: the builder has no modifier column).
    ///
    /// - R1: two MRI/CT lines, both denied (charges 100.00 and 250.50, modifier 26 on line 1).
    /// - R2: line 1 denied, line 2 allowed (a later visit of the same episode).
    /// - R3: one denied line without a charge.
    /// - R4: an institutional line with a revenue code.
    /// - R5: allowed only (another primary diagnosis): no fragment.
    static let claims = """
        claim_id,claim_line_number,claim_type,member_id,claim_start_date,claim_line_start_date,hcpcs_code,hcpcs_modifier_1,revenue_center_code,charge_amount,diagnosis_code_1
        R1,1,professional,M1,2024-03-10,2024-03-10,72148,26,,100.00,M5450
        R1,2,professional,M1,2024-03-10,2024-03-12,72131,,,250.50,M5450
        R2,1,professional,M2,2024-05-01,2024-05-01,72100,,,75.25,M54.50
        R2,2,professional,M2,2024-05-01,2024-06-15,72148,,,300,M54.50
        R3,1,professional,M3,2024-07-01,,72100,,,,M5450
        R4,1,institutional,M4,2024-08-01,,72148,,0610,1200.5,M5450
        R5,1,professional,M5,2024-08-01,,72148,,,90,I10

        """

    private func decidedHistory(_ settings: PolicySettings = PolicySettings()) throws -> TestHistory {
        let history = try TestHistory()
        try history.loadEligibility((1...5).map { EligibilityRow(member: "M\($0)", start: "2023-01-01") })
        try history.load(Self.claims, kind: .claims)
        _ = try DecideRun(db: history.db, policy: try ResolvedPolicy(settings: settings, db: history.db), clock: history.clock).run()
        return history
    }

    private func export835(_ history: TestHistory, _ filter: DecisionFilter = DecisionFilter()) throws -> (segments: [String], manifest: ExportManifest, text: String) {
        let path = history.directory.file("remit-\(UUID().uuidString).835")
        let manifest = try DecisionExporter(db: history.db).export(format: .x835, filter: filter, to: try OutputFile(path: path))
        let text = String(decoding: contents(path), as: UTF8.self)
        return (text.split(separator: "\n").map(String.init), manifest, text)
    }

    @Test("after a void, the fragment still shows the lines and charges that were decided")
    func voidedAfterTheDecision() throws {
        let history = try decidedHistory()
        try history.load("""
            claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,diagnosis_code_1,claim_frequency_code
            R1,1,professional,M1,2024-03-10,72148,M5450,8

            """, kind: .claims)
        let (segments, _, _) = try export835(history, DecisionFilter(claimID: "R1"))
        #expect(segments.first == "CLP*R1*4*350.5*0*0*ZZ*R1~")
        #expect(segments.filter { $0.hasPrefix("SVC") } == ["SVC*HC:72148:26*100*0~", "SVC*HC:72131*250.5*0~"])
        let decision = try #require(try DecisionStore(history.db).current(claimID: "R1", lineNumber: 1))
        let note = LineCurrency.note(decision, current: nil)
        #expect(note?.contains("no longer an imaging line") == true)
        let text = ExplanationText.render(decision, stored: true, lineage: try Lineage(db: history.db), changedSince: note)
        #expect(text.contains("NOTE: the line is no longer an imaging line"))
    }

    @Test("a decision on the current version carries no note; a replaced version does")
    func lineCurrency() throws {
        let history = try decidedHistory()
        let decision = try #require(try DecisionStore(history.db).current(claimID: "R3", lineNumber: 1))
        let categories = PolicySettings().imagingValueSets
        #expect(LineCurrency.note(decision, current: try HistoryReader(history.db).imagingLine(
            claimID: "R3", lineNumber: 1, categories: categories)) == nil)
        try history.load("""
            claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,charge_amount,diagnosis_code_1
            R3,1,professional,M3,2024-07-01,72100,80,M5450

            """, kind: .claims)
        let now = try HistoryReader(history.db).imagingLine(claimID: "R3", lineNumber: 1, categories: categories)
        #expect(now?.chargeAmount == "80")
        #expect(LineCurrency.note(decision, current: now)?.contains("loaded again") == true)
    }

    @Test("a denied two-line claim, segment by segment")
    func deniedTwoLineClaim() throws {
        let history = try decidedHistory()
        #expect(try DecisionStore(history.db).current(claimID: "R1", lineNumber: 1)?.outcome == .deny)
        #expect(try DecisionStore(history.db).current(claimID: "R1", lineNumber: 2)?.outcome == .deny)
        let (segments, manifest, text) = try export835(history, DecisionFilter(claimID: "R1"))
        #expect(segments == [
            "CLP*R1*4*350.5*0*0*ZZ*R1~",
            "NM1*QC*1******MI*M1~",
            "SVC*HC:72148:26*100*0~",
            "DTM*472*20240310~",
            "CAS*CO*50*100~",
            "REF*0K*LBP-IMAGING-001~",
            "LQ*HE*N130~",
            "SVC*HC:72131*250.5*0~",
            "DTM*472*20240312~",
            "CAS*CO*50*250.5~",
            "REF*0K*LBP-IMAGING-001~",
            "LQ*HE*N130~",
        ])
        // One segment per line, each ended by `~` and a line break.
        #expect(text.hasSuffix("~\n"))
        #expect(!text.contains("\r"))
        #expect(manifest.rows == 2)
        #expect(manifest.format == "835")
    }

    @Test("a claim with an allowed line gets CLP02 = 1 and only its denied lines")
    func claimWithAnAllowedLine() throws {
        let history = try decidedHistory()
        #expect(try DecisionStore(history.db).current(claimID: "R2", lineNumber: 2)?.reason == Reason.priorLBPDiagnosis)
        let (segments, _, _) = try export835(history, DecisionFilter(claimID: "R2"))
        #expect(segments == [
            "CLP*R2*1*375.25*0*0*ZZ*R2~",
            "NM1*QC*1******MI*M2~",
            "SVC*HC:72100*75.25*0~",
            "DTM*472*20240501~",
            "CAS*CO*50*75.25~",
            "REF*0K*LBP-IMAGING-001~",
            "LQ*HE*N130~",
        ])
    }

    @Test("a line without a charge is remitted with 0")
    func lineWithoutCharge() throws {
        let history = try decidedHistory()
        let (segments, _, _) = try export835(history, DecisionFilter(claimID: "R3"))
        #expect(segments == [
            "CLP*R3*4*0*0*0*ZZ*R3~",
            "NM1*QC*1******MI*M3~",
            "SVC*HC:72100*0*0~",
            "DTM*472*20240701~",
            "CAS*CO*50*0~",
            "REF*0K*LBP-IMAGING-001~",
            "LQ*HE*N130~",
        ])
    }

    @Test("an institutional line carries its revenue code in SVC04")
    func revenueCode() throws {
        let history = try decidedHistory()
        let (segments, _, _) = try export835(history, DecisionFilter(claimID: "R4"))
        #expect(segments.first == "CLP*R4*4*1200.5*0*0*ZZ*R4~")
        #expect(segments.dropFirst(2).first == "SVC*HC:72148*1200.5*0*0610~")
    }

    @Test("the whole file: one fragment per claim with a denied line, by claim id; allowed-only claims have none")
    func wholeFile() throws {
        let history = try decidedHistory()
        let (segments, manifest, _) = try export835(history)
        #expect(segments.filter { $0.hasPrefix("CLP*") }.map { $0.split(separator: "*")[1] } == ["R1", "R2", "R3", "R4"])
        #expect(segments.count == 4 * 2 + 5 * 5)
        #expect(manifest.rows == 5)
        #expect(manifest.counts.map { "\($0.outcome) \($0.reason) \($0.rows)" } == ["DENY LBP_IMAGING_WITHIN_28_DAYS 5"])
        // An outcome filter of ALLOW still gives denials only: the fragment speaks for denied lines.
        let (allowFiltered, _, _) = try export835(history, DecisionFilter(outcome: .allow))
        #expect(allowFiltered.allSatisfy { !$0.hasPrefix("CLP*R5") })
    }

    @Test("the denial codes and the policy id come from the settings")
    func configuredDenialCodes() throws {
        var settings = PolicySettings()
        settings.policyID = "PLAN-7"
        settings.denial.groupCode = "PR"
        settings.denial.carc = "96"
        settings.denial.rarc = "N386"
        let history = try decidedHistory(settings)
        let (segments, _, _) = try export835(history, DecisionFilter(claimID: "R3"))
        #expect(segments == [
            "CLP*R3*4*0*0*0*ZZ*R3~",
            "NM1*QC*1******MI*M3~",
            "SVC*HC:72100*0*0~",
            "DTM*472*20240701~",
            "CAS*PR*96*0~",
            "REF*0K*PLAN-7~",
            "LQ*HE*N386~",
        ])
    }

    @Test("charges: rounded to cents without trailing zeros; a charge that is not a number is 0", arguments: [
        ("42.10", "42.1"),
        (" 7.00 ", "7"),
        ("12.345", "12.35"),
        ("0.5", "0.5"),
        ("abc", "0"),
        ("$100", "0"),
        // Not numbers either: read as 0, never as a prefix of the text (12, 1).
        ("12abc", "0"),
        ("1,000.50", "0"),
    ])
    func chargeFormats(charge: String, expected: String) throws {
        let history = try TestHistory()
        try history.loadEligibility([EligibilityRow(member: "M1", start: "2023-01-01")])
        try history.load("""
            claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,charge_amount,diagnosis_code_1
            Q1,1,professional,M1,2024-03-10,72148,"\(charge)",M5450

            """, kind: .claims)
        _ = try DecideRun(db: history.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: history.db), clock: history.clock).run()
        let (segments, _, _) = try export835(history)
        #expect(segments.first == "CLP*Q1*4*\(expected)*0*0*ZZ*Q1~")
        #expect(segments.dropFirst(2).first == "SVC*HC:72148*\(expected)*0~")
        #expect(segments.dropFirst(4).first == "CAS*CO*50*\(expected)~")
    }

    @Test("separator characters in data are replaced by spaces, in every element")
    func separatorsInData() throws {
        let history = try TestHistory()
        try history.loadEligibility([EligibilityRow(member: "M1", start: "2023-01-01")])
        try history.load("""
            claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,hcpcs_modifier_1,hcpcs_modifier_2,charge_amount,diagnosis_code_1
            A*B~C:D,1,professional,M1,2024-03-10,72148,2:6,X*Y,10,M5450

            """, kind: .claims)
        _ = try DecideRun(db: history.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: history.db), clock: history.clock).run()
        let (segments, _, _) = try export835(history)
        #expect(segments.first == "CLP*A B C D*4*10*0*0*ZZ*A B C D~")
        // The components of SVC01 stay separated by `:`; a `:` inside a modifier is data.
        #expect(segments.dropFirst(2).first == "SVC*HC:72148:2 6:X Y*10*0~")
    }

    @Test("no denied line: an empty file")
    func noDenials() throws {
        let history = try decidedHistory()
        let (segments, manifest, text) = try export835(history, DecisionFilter(claimID: "R5"))
        #expect(segments.isEmpty)
        #expect(text.isEmpty)
        #expect(manifest.rows == 0)
        #expect(manifest.bytes == 0)
    }
}
