import History
import Policy
import TestSupport
import Testing

/// One row of POLICY.md's worked-examples table ("Mar" is March 2024; the member is enrolled from
/// 2023-01-01 unless the row says otherwise; no red flags unless named).
struct WorkedExample: Sendable, CustomTestStringConvertible {
    let row: String
    var enrolledFrom = "2023-01-01"
    let history: [ClaimRow]
    let imagingLine: ClaimRow
    let outcome: Outcome
    let reason: String
    /// I, or nil where the rules stop before the index date.
    let index: String?

    var testDescription: String { row }

    static let all: [WorkedExample] = [
        WorkedExample(
            row: "LBP Mar 1, imaging Mar 10: DENY, I = Mar 1, 9 days",
            history: [visit("H1", on: "2024-03-01", dx: [Code.lbp])],
            imagingLine: imaging("IMG", start: "2024-03-10"),
            outcome: .deny, reason: Reason.imagingWithin28Days, index: "2024-03-01"),
        WorkedExample(
            row: "LBP Mar 1, imaging Mar 29: DENY, 28 days is within",
            history: [visit("H1", on: "2024-03-01", dx: [Code.lbp])],
            imagingLine: imaging("IMG", start: "2024-03-29"),
            outcome: .deny, reason: Reason.imagingWithin28Days, index: "2024-03-01"),
        WorkedExample(
            row: "LBP Mar 1, imaging Mar 30: ALLOW PRIOR_LBP_DIAGNOSIS, I = Mar 30 (own claim)",
            history: [visit("H1", on: "2024-03-01", dx: [Code.lbp])],
            imagingLine: imaging("IMG", start: "2024-03-30"),
            outcome: .allow, reason: Reason.priorLBPDiagnosis, index: "2024-03-30"),
        WorkedExample(
            row: "no history, imaging claim primary LBP Mar 10: DENY, I = Mar 10",
            history: [],
            imagingLine: imaging("IMG", start: "2024-03-10"),
            outcome: .deny, reason: Reason.imagingWithin28Days, index: "2024-03-10"),
        WorkedExample(
            row: "LBP Jan 1 (secondary), LBP Mar 1, imaging Mar 10: ALLOW PRIOR_LBP_DIAGNOSIS, I = Mar 1",
            history: [visit("H0", on: "2024-01-01", dx: [Code.other, Code.lbp]), visit("H1", on: "2024-03-01", dx: [Code.lbp])],
            imagingLine: imaging("IMG", start: "2024-03-10"),
            outcome: .allow, reason: Reason.priorLBPDiagnosis, index: "2024-03-01"),
        WorkedExample(
            row: "LBP 2023-08-01, LBP 2024-03-01, imaging 2024-03-10: DENY, 213 days gap is a new episode",
            history: [visit("H0", on: "2023-08-01", dx: [Code.lbp]), visit("H1", on: "2024-03-01", dx: [Code.lbp])],
            imagingLine: imaging("IMG", start: "2024-03-10"),
            outcome: .deny, reason: Reason.imagingWithin28Days, index: "2024-03-01"),
        WorkedExample(
            row: "LBP Mar 1, cancer dx 2019, imaging Mar 10: ALLOW RED_FLAG_CANCER",
            history: [visit("H0", on: "2019-06-15", dx: [Code.cancer]), visit("H1", on: "2024-03-01", dx: [Code.lbp])],
            imagingLine: imaging("IMG", start: "2024-03-10"),
            outcome: .allow, reason: "RED_FLAG_CANCER", index: "2024-03-01"),
        WorkedExample(
            row: "LBP Mar 1, trauma dx Mar 20, imaging Mar 10: ALLOW RED_FLAG_TRAUMA",
            history: [visit("H1", on: "2024-03-01", dx: [Code.lbp]), visit("H2", on: "2024-03-20", dx: [Code.trauma])],
            imagingLine: imaging("IMG", start: "2024-03-10"),
            outcome: .allow, reason: "RED_FLAG_TRAUMA", index: "2024-03-01"),
        WorkedExample(
            row: "LBP Mar 1, trauma dx Apr 5, imaging Mar 10: DENY, Apr 5 > I+28",
            history: [visit("H1", on: "2024-03-01", dx: [Code.lbp]), visit("H2", on: "2024-04-05", dx: [Code.trauma])],
            imagingLine: imaging("IMG", start: "2024-03-10"),
            outcome: .deny, reason: Reason.imagingWithin28Days, index: "2024-03-01"),
        WorkedExample(
            row: "LBP Mar 1, imaging claim primary dx cancer Mar 10: ALLOW PRIMARY_DX_NOT_LBP",
            history: [visit("H1", on: "2024-03-01", dx: [Code.lbp])],
            imagingLine: imaging("IMG", start: "2024-03-10", dx: [Code.cancer]),
            outcome: .allow, reason: Reason.primaryDxNotLBP, index: nil),
        WorkedExample(
            row: "LBP Mar 1, member enrolled from Feb 1, imaging Mar 10: ALLOW INSUFFICIENT_ENROLLMENT",
            enrolledFrom: "2024-02-01",
            history: [visit("H1", on: "2024-03-01", dx: [Code.lbp])],
            imagingLine: imaging("IMG", start: "2024-03-10"),
            outcome: .allow, reason: Reason.insufficientEnrollment, index: "2024-03-01"),
    ]
}

@Suite("POLICY.md worked examples")
struct WorkedExampleTests {
    @Test("each row of the worked-examples table", arguments: WorkedExample.all)
    func workedExample(_ example: WorkedExample) throws {
        let history = try TestHistory.enrolled(from: example.enrolledFrom)
        try history.loadClaims(example.history + [example.imagingLine])
        let summary = try history.decide()
        #expect(summary.linesDecided == 1)

        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == example.outcome)
        #expect(decision.reason == example.reason)
        #expect(decision.indexDay?.iso == example.index)
        #expect(decision.windowEndDay?.iso == example.index.map { day($0).adding(days: 28).iso })
        #expect(decision.line.serviceDay.iso == example.imagingLine.start)
        #expect(decision.line.memberID == "M1")
        #expect(decision.line.hcpcsCode == Code.mri)
        #expect(decision.line.claimType == "professional")
        if example.outcome == .deny {
            #expect(decision.denial == DenialCodes())
            #expect(decision.denial?.groupCode == "CO")
            #expect(decision.denial?.carc == "50")
            #expect(decision.denial?.rarc == "N130")
        } else {
            #expect(decision.denial == nil)
        }
        if example.reason.hasPrefix("RED_FLAG_") {
            #expect(decision.redFlags == [example.reason])
        } else {
            #expect(decision.redFlags.isEmpty)
        }
        #expect(decision.policyID == "LBP-IMAGING-001")
        #expect(decision.policyVersion == summary.policyVersion)
        #expect(decision.decidedAt == history.clock.timestamp())
    }

    @Test("the evidence names the claim, code and date that made each rule true")
    func evidenceOfWorkedExamples() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([
            visit("H0", on: "2019-06-15", dx: [Code.cancer]),
            visit("H1", on: "2024-03-01", dx: [Code.lbp]),
            imaging("IMG", start: "2024-03-10"),
        ])
        try history.decide()
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.reason == "RED_FLAG_CANCER")
        #expect(decision.evidence.map(\.rule) == [
            "PRIMARY_DX", "COVERAGE", "PLAN", "INDEX_DATE", "PRIOR_LBP", "ENROLLMENT",
            "RED_FLAG_CANCER", "RED_FLAG_TRAUMA", "RED_FLAG_IV_DRUG_ABUSE", "RED_FLAG_NEUROLOGIC", "RED_FLAG_SPINAL_INFECTION",
        ])
        let index = try #require(decision.evidence.first { $0.rule == "INDEX_DATE" })
        #expect(index.claimID == "H1")
        #expect(index.code == Code.lbp)
        #expect(index.day == day("2024-03-01"))
        #expect(index.windowStart == day("2024-02-11"))
        #expect(index.windowEnd == day("2024-03-10"))
        let prior = try #require(decision.evidence.first { $0.rule == "PRIOR_LBP" })
        #expect(prior.finding == "none")
        #expect(prior.windowStart == day("2024-03-01").adding(days: -180))
        #expect(prior.windowEnd == day("2024-02-29"))
        let cancer = try #require(decision.evidence.first { $0.rule == "RED_FLAG_CANCER" })
        #expect(cancer.finding == "found")
        #expect(cancer.claimID == "H0")
        #expect(cancer.code == Code.cancer)
        #expect(cancer.day == day("2019-06-15"))
        #expect(cancer.windowStart == nil)
        #expect(cancer.windowEnd == day("2024-03-29"))
        let trauma = try #require(decision.evidence.first { $0.rule == "RED_FLAG_TRAUMA" })
        #expect(trauma.finding == "none")
        #expect(trauma.windowStart == day("2023-03-01"))
        #expect(trauma.windowEnd == day("2024-03-29"))
        let enrollment = try #require(decision.evidence.first { $0.rule == "ENROLLMENT" })
        #expect(enrollment.finding == "continuous")
        #expect(enrollment.windowStart == day("2024-03-01").adding(days: -180))
        #expect(enrollment.windowEnd == day("2024-03-10"))
    }
}
