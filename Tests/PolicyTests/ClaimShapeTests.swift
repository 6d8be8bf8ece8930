import History
import Policy
import TestSupport
import Testing

/// Rules 1–3 and the shapes an imaging claim can take: red flags on the imaging claim itself,
/// another primary diagnosis, several imaging lines, institutional lines without a line date,
/// members without coverage, ICD-9 claims and exempt plans.
@Suite("Imaging claims and rules 1-3")
struct ClaimShapeTests {
    @Test("a red flag only on the imaging claim itself (secondary diagnosis) allows the line")
    func redFlagOnTheImagingClaim() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10", dx: [Code.lbp, Code.trauma])])
        try history.decide()
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .allow)
        #expect(decision.reason == "RED_FLAG_TRAUMA")
        #expect(decision.indexDay == day("2024-03-10"))
        let evidence = try #require(decision.evidence.first { $0.rule == "RED_FLAG_TRAUMA" })
        #expect(evidence.claimID == "IMG")
        #expect(evidence.position == 2)
        #expect(evidence.code == Code.trauma)
    }

    @Test("an imaging claim billed for another primary diagnosis is not judged, even with LBP history")
    func primaryNotLBPWithHistory() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([
            visit("H1", on: "2024-03-01", dx: [Code.lbp]),
            imaging("IMG", start: "2024-03-10", dx: [Code.other, Code.lbp]),
        ])
        try history.decide()
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .allow)
        #expect(decision.reason == Reason.primaryDxNotLBP)
        #expect(decision.indexDay == nil)
        #expect(decision.windowEndDay == nil)
        #expect(decision.evidence.map(\.rule) == ["PRIMARY_DX"])
        #expect(decision.evidence.first?.code == Code.other)
        #expect(decision.evidence.first?.finding == "none")
    }

    @Test("diagnosis codes are matched after normalising (m54.50 = M5450)")
    func normalisedDiagnosis() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10", dx: ["m54.50", "s32.000a"])])
        try history.decide()
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.reason == "RED_FLAG_TRAUMA")
    }

    @Test("a retired parent code kept for older claims (M54.5) is LBP")
    func retiredParentCode() throws {
        let history = try TestHistory.enrolled(from: "2020-01-01")
        try history.loadClaims([imaging("IMG", start: "2021-06-10", dx: ["M54.5"])])
        try history.decide()
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .deny)
        #expect(decision.line.primaryDiagnosis == "M545")
    }

    @Test("two imaging lines of one claim on different dates get a decision each")
    func twoImagingLinesOnDifferentDates() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([
            imaging("IMG", line: 1, start: "2024-03-01", lineDate: "2024-03-05", hcpcs: Code.xray),
            imaging("IMG", line: 2, start: "2024-03-01", lineDate: "2024-04-15", hcpcs: Code.mri),
            ClaimRow(claim: "IMG", line: 3, member: "M1", start: "2024-03-01", lineStart: "2024-03-05", hcpcs: Code.officeVisit, dx: [Code.lbp]),
        ])
        let summary = try history.decide()
        #expect(summary.linesDecided == 2)
        #expect(try DecisionStore(history.db).decidedLines(claimID: "IMG") == [1, 2])

        let first = try #require(try history.decision("IMG", line: 1))
        #expect(first.line.serviceDay == day("2024-03-05"))
        #expect(first.line.hcpcsCode == Code.xray)
        #expect(first.outcome == .deny)
        #expect(first.indexDay == day("2024-03-01"))

        let second = try #require(try history.decision("IMG", line: 2))
        #expect(second.line.serviceDay == day("2024-04-15"))
        #expect(second.line.hcpcsCode == Code.mri)
        #expect(second.outcome == .allow)
        #expect(second.reason == Reason.priorLBPDiagnosis)
        #expect(second.indexDay == day("2024-04-15"))
        #expect(try history.decision("IMG", line: 3) == nil)
    }

    @Test("an institutional imaging line without a line date is dated by the claim's start")
    func institutionalLineWithoutDate() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10", hcpcs: Code.ct, type: "institutional")])
        try history.decide()
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.line.claimType == "institutional")
        #expect(decision.line.serviceDay == day("2024-03-10"))
        #expect(decision.line.hcpcsCode == Code.ct)
        #expect(decision.outcome == .deny)
        #expect(decision.indexDay == day("2024-03-10"))
    }

    @Test("a member with no eligibility: NO_COVERAGE")
    func noEligibility() throws {
        let history = try TestHistory()
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        try history.decide()
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .allow)
        #expect(decision.reason == Reason.noCoverage)
        #expect(decision.indexDay == nil)
        #expect(decision.evidence.last?.rule == "COVERAGE")
        #expect(decision.evidence.last?.finding == "not_covered")
    }

    @Test("eligibility that ended before D, or covers another member: NO_COVERAGE")
    func coverageEndedBeforeService() throws {
        let history = try TestHistory()
        try history.loadEligibility([
            EligibilityRow(member: "M1", start: "2023-01-01", end: "2024-03-09"),
            EligibilityRow(member: "M2", start: "2023-01-01"),
        ])
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        try history.decide()
        #expect(try history.decision("IMG")?.reason == Reason.noCoverage)
    }

    @Test("eligibility ending on D covers D")
    func coverageEndingOnServiceDay() throws {
        let history = try TestHistory()
        try history.loadEligibility([EligibilityRow(member: "M1", start: "2023-01-01", end: "2024-03-10")])
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        try history.decide()
        #expect(try history.decision("IMG")?.reason == Reason.imagingWithin28Days)
    }

    @Test("rule order: another primary diagnosis comes before coverage")
    func primaryBeforeCoverage() throws {
        let history = try TestHistory()
        try history.loadClaims([imaging("IMG", start: "2024-03-10", dx: [Code.other])])
        try history.decide()
        #expect(try history.decision("IMG")?.reason == Reason.primaryDxNotLBP)
    }

    @Test("an ICD-9 imaging claim never has a primary LBP diagnosis")
    func icd9ImagingClaim() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([visit("H1", on: "2024-03-01", dx: [Code.lbp])])
        try history.load("""
            claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,diagnosis_code_type,diagnosis_code_1
            IMG9,1,professional,M1,2024-03-10,72148,icd-9-cm,7242
            IMGX,1,professional,M1,2024-03-12,72148,ICD-9-CM,M5450
            """ + "\n", kind: .claims)
        let summary = try history.decide()
        #expect(summary.linesDecided == 2)
        let icd9 = try #require(try history.decision("IMG9"))
        #expect(icd9.outcome == .allow)
        #expect(icd9.reason == Reason.primaryDxNotLBP)
        // An ICD-10 look-alike code on a claim marked ICD-9 does not match either.
        #expect(try history.decision("IMGX")?.reason == Reason.primaryDxNotLBP)
    }

    @Test("the diagnoses of an ICD-9 claim are not LBP history")
    func icd9HistoryIsNotPriorLBP() throws {
        let history = try TestHistory.enrolled()
        try history.load("""
            claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,diagnosis_code_type,diagnosis_code_1
            OLD9,1,professional,M1,2024-01-10,99213,icd-9-cm,M5450
            """ + "\n", kind: .claims)
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        try history.decide()
        #expect(try history.decision("IMG")?.reason == Reason.imagingWithin28Days)
    }

    @Test("an exempt plan: PLAN_EXEMPT")
    func exemptPlan() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        var settings = PolicySettings()
        settings.exemptPlans = ["PPO"]
        try history.decide(settings)
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .allow)
        #expect(decision.reason == Reason.planExempt)
        #expect(decision.indexDay == nil)
        let plan = try #require(decision.evidence.first { $0.rule == "PLAN" })
        #expect(plan.finding == "exempt")
    }

    @Test("any exempt plan among the spans covering D is enough; one not covering D is not")
    func exemptPlanAmongSeveral() throws {
        let history = try TestHistory()
        try history.loadEligibility([
            EligibilityRow(member: "M1", start: "2023-01-01", payer: "ACME", plan: "PPO"),
            EligibilityRow(member: "M1", start: "2024-01-01", payer: "STATE", plan: "MANDATED"),
            EligibilityRow(member: "M2", start: "2023-01-01", payer: "ACME", plan: "PPO"),
            EligibilityRow(member: "M2", start: "2023-01-01", end: "2024-03-09", payer: "STATE", plan: "MANDATED"),
        ])
        try history.loadClaims([
            imaging("IMG1", member: "M1", start: "2024-03-10"),
            imaging("IMG2", member: "M2", start: "2024-03-10"),
        ])
        var settings = PolicySettings()
        settings.exemptPlans = ["MANDATED"]
        try history.decide(settings)
        #expect(try history.decision("IMG1")?.reason == Reason.planExempt)
        #expect(try history.decision("IMG2")?.reason == Reason.imagingWithin28Days)
    }

    @Test("no plan is exempt by default")
    func noExemptPlanByDefault() throws {
        #expect(PolicySettings().exemptPlans.isEmpty)
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        try history.decide()
        let plan = try #require(try history.decision("IMG")?.evidence.first { $0.rule == "PLAN" })
        #expect(plan.finding == "not_exempt")
    }

    @Test("lines outside the imaging value sets get no decision")
    func nonImagingLines() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([visit("V", on: "2024-03-10", dx: [Code.lbp]), imaging("IMG", start: "2024-03-10", hcpcs: "72080")])
        let summary = try history.decide()
        #expect(summary.linesDecided == 0)
        #expect(try history.scalar("SELECT count(*) FROM decision") == 0)
    }

    @Test("the Evaluator gives the same decision as the stored one")
    func evaluatorDirectly() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([visit("H1", on: "2024-03-01", dx: [Code.lbp]), imaging("IMG", start: "2024-03-10")])
        let policy = try ResolvedPolicy(settings: PolicySettings(), db: history.db)
        var lines: [ImagingLine] = []
        try HistoryReader(history.db).forEachImagingLine(categories: policy.settings.imagingValueSets, scope: LineScope()) {
            lines.append($0)
        }
        let line = try #require(lines.first)
        #expect(lines.count == 1)
        #expect(line.claimStartDay == day("2024-03-10"))
        #expect(line.primaryDiagnosis == Code.lbp)
        let evaluator = Evaluator(policy: policy)
        let member = try HistoryReader(history.db).memberHistory(
            line.memberID, windows: evaluator.windows(serviceDays: line.serviceDay, line.serviceDay))
        let live = evaluator.decide(line, history: member)
        #expect(live.outcome == .deny)
        #expect(live.indexDay == day("2024-03-01"))

        try history.decide()
        let stored = try #require(try history.decision("IMG"))
        #expect(stored.fingerprint == live.fingerprint)
        #expect(stored.evidence == live.evidence)
    }
}
