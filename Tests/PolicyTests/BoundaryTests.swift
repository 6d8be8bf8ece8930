import History
import Policy
import TestSupport
import Testing

/// The edges of every window: the 28-day imaging window, the 180-day lookback, the one-year red-flag
/// lookback (Feb 29 → Feb 28), the enrollment gap allowance and the red-flag window end I+28.
@Suite("Window boundaries")
struct BoundaryTests {
    /// Decides one imaging claim (`IMG`, primary LBP, dated `imagingOn`) over `history`.
    private func decide(imagingOn date: String, lineDate: String = "", history: [ClaimRow],
                        eligibility: [EligibilityRow] = [EligibilityRow(member: "M1", start: "2023-01-01")]) throws -> Decision {
        let test = try TestHistory()
        try test.loadEligibility(eligibility)
        try test.loadClaims(history + [imaging("IMG", start: date, lineDate: lineDate)])
        try test.decide()
        return try #require(try test.decision("IMG"))
    }

    // MARK: The imaging window (I … I+28)

    @Test("imaging at I+28 is denied")
    func imagingAtDay28() throws {
        let i = day("2024-03-01")
        let decision = try decide(imagingOn: i.adding(days: 28).iso, history: [visit("H1", on: i.iso, dx: [Code.lbp])])
        #expect(decision.outcome == .deny)
        #expect(decision.reason == Reason.imagingWithin28Days)
        #expect(decision.indexDay == i)
        #expect(decision.windowEndDay == i.adding(days: 28))
    }

    @Test("imaging at I+29 is a later visit of an earlier episode: index = D")
    func imagingAtDay29() throws {
        let i = day("2024-03-01")
        let d = i.adding(days: 29)
        let decision = try decide(imagingOn: d.iso, history: [visit("H1", on: i.iso, dx: [Code.lbp])])
        #expect(decision.outcome == .allow)
        #expect(decision.reason == Reason.priorLBPDiagnosis)
        #expect(decision.indexDay == d)
        let prior = try #require(decision.evidence.first { $0.rule == "PRIOR_LBP" })
        #expect(prior.claimID == "H1")
        #expect(prior.day == i)
    }

    @Test("an imaging line dated after its claim's start: I is the claim's start date")
    func ownClaimCountsAtItsStart() throws {
        let decision = try decide(imagingOn: "2024-06-01", lineDate: "2024-06-10", history: [])
        #expect(decision.line.serviceDay == day("2024-06-10"))
        #expect(decision.outcome == .deny)
        #expect(decision.indexDay == day("2024-06-01"))
    }

    @Test("an own claim starting more than 28 days before D: I = D and the claim's start is a prior diagnosis")
    func ownClaimStartingBeforeTheWindow() throws {
        let decision = try decide(imagingOn: "2024-05-01", lineDate: "2024-06-10", history: [])
        #expect(decision.indexDay == day("2024-06-10"))
        #expect(decision.outcome == .allow)
        #expect(decision.reason == Reason.priorLBPDiagnosis)
        let prior = try #require(decision.evidence.first { $0.rule == "PRIOR_LBP" })
        #expect(prior.claimID == "IMG")
        #expect(prior.day == day("2024-05-01"))
    }

    // MARK: The 180-day lookback (I−180 … I−1)

    @Test("an LBP diagnosis exactly 180 days before I: not a new episode")
    func priorAt180Days() throws {
        let i = day("2024-03-10")
        let decision = try decide(imagingOn: i.iso, history: [visit("H0", on: i.adding(days: -180).iso, dx: [Code.other, Code.lbp])])
        #expect(decision.outcome == .allow)
        #expect(decision.reason == Reason.priorLBPDiagnosis)
        #expect(decision.indexDay == i)
    }

    @Test("an LBP diagnosis 181 days before I: a new episode")
    func priorAt181Days() throws {
        let i = day("2024-03-10")
        let decision = try decide(imagingOn: i.iso, history: [visit("H0", on: i.adding(days: -181).iso, dx: [Code.lbp])])
        #expect(decision.outcome == .deny)
        #expect(decision.reason == Reason.imagingWithin28Days)
        #expect(decision.indexDay == i)
    }

    @Test("an LBP diagnosis on the day before I counts, one after D does not")
    func priorDayBeforeIndexAndLaterDiagnosis() throws {
        let i = day("2024-03-10")
        let before = try decide(imagingOn: i.iso, history: [visit("H0", on: i.adding(days: -29).iso, dx: [Code.other, Code.lbp])])
        #expect(before.reason == Reason.priorLBPDiagnosis)
        let after = try decide(imagingOn: i.iso, history: [visit("H0", on: i.adding(days: 1).iso, dx: [Code.lbp])])
        #expect(after.reason == Reason.imagingWithin28Days)
        #expect(after.indexDay == i)
    }

    // MARK: The one-year red-flag lookback

    @Test("trauma exactly one year before I is a red flag; one day earlier is not")
    func traumaOneYearBefore() throws {
        let inside = try decide(imagingOn: "2024-03-10", history: [visit("T", on: "2023-03-10", dx: [Code.trauma])])
        #expect(inside.outcome == .allow)
        #expect(inside.reason == "RED_FLAG_TRAUMA")
        let outside = try decide(imagingOn: "2024-03-10", history: [visit("T", on: "2023-03-09", dx: [Code.trauma])])
        #expect(outside.outcome == .deny)
        #expect(outside.reason == Reason.imagingWithin28Days)
        #expect(outside.redFlags.isEmpty)
    }

    @Test("one year back from I = 2024-02-29 starts on 2023-02-28",
          arguments: [("2023-02-28", true), ("2023-02-27", false)])
    func leapDayIndex(traumaOn: String, isRedFlag: Bool) throws {
        let decision = try decide(imagingOn: "2024-02-29", history: [visit("T", on: traumaOn, dx: [Code.trauma])])
        #expect(decision.indexDay == day("2024-02-29"))
        #expect(decision.reason == (isRedFlag ? "RED_FLAG_TRAUMA" : Reason.imagingWithin28Days))
        let evidence = try #require(decision.evidence.first { $0.rule == "RED_FLAG_TRAUMA" })
        #expect(evidence.windowStart == day("2023-02-28"))
    }

    @Test("I = 2025-02-28: the window starts 2024-02-28, so a trauma on 2024-02-29 is inside",
          arguments: [("2024-02-29", true), ("2024-02-28", true), ("2024-02-27", false)])
    func indexAfterLeapYear(traumaOn: String, isRedFlag: Bool) throws {
        let decision = try decide(imagingOn: "2025-02-28", history: [visit("T", on: traumaOn, dx: [Code.trauma])])
        #expect(decision.indexDay == day("2025-02-28"))
        #expect(decision.reason == (isRedFlag ? "RED_FLAG_TRAUMA" : Reason.imagingWithin28Days))
    }

    @Test("each one-year red flag: on I−1y present, the day before absent",
          arguments: defaultRedFlags.dropFirst().map { $0 })
    func oneYearLookbackOfEachFlag(flag: (reason: String, code: String)) throws {
        let i = day("2024-03-10")
        let inside = try decide(imagingOn: i.iso, history: [visit("F", on: "2023-03-10", dx: [Code.other, flag.code])])
        #expect(inside.reason == flag.reason)
        #expect(inside.redFlags == [flag.reason])
        let outside = try decide(imagingOn: i.iso, history: [visit("F", on: "2023-03-09", dx: [Code.other, flag.code])])
        #expect(outside.reason == Reason.imagingWithin28Days)
    }

    // MARK: The red-flag window end (I+28)

    @Test("each red flag at I+28 allows; at I+29 it does not", arguments: defaultRedFlags.map { $0 })
    func redFlagWindowEnd(flag: (reason: String, code: String)) throws {
        let i = day("2024-03-01")
        let lbp = visit("H1", on: i.iso, dx: [Code.lbp])
        let atEnd = try decide(imagingOn: "2024-03-10", history: [lbp, visit("F", on: i.adding(days: 28).iso, dx: [flag.code])])
        #expect(atEnd.outcome == .allow)
        #expect(atEnd.reason == flag.reason)
        #expect(atEnd.redFlags == [flag.reason])
        #expect(atEnd.indexDay == i)
        let evidence = try #require(atEnd.evidence.first { $0.rule == flag.reason })
        #expect(evidence.finding == "found")
        #expect(evidence.claimID == "F")
        #expect(evidence.day == i.adding(days: 28))
        #expect(evidence.windowEnd == i.adding(days: 28))

        let after = try decide(imagingOn: "2024-03-10", history: [lbp, visit("F", on: i.adding(days: 29).iso, dx: [flag.code])])
        #expect(after.outcome == .deny)
        #expect(after.reason == Reason.imagingWithin28Days)
        #expect(after.redFlags.isEmpty)
    }

    @Test("cancer many years before I is a red flag")
    func cancerLongAgo() throws {
        let decision = try decide(imagingOn: "2024-03-10", history: [visit("C", on: "2005-01-15", dx: [Code.cancer])])
        #expect(decision.outcome == .allow)
        #expect(decision.reason == "RED_FLAG_CANCER")
        #expect(decision.redFlags == ["RED_FLAG_CANCER"])
    }

    @Test("several red flags: the reason is the first in policy order and all are recorded")
    func severalRedFlags() throws {
        let all = try decide(imagingOn: "2024-03-10", history: [
            visit("F1", on: "2024-03-15", dx: [Code.spinalInfection, Code.neurologic]),
            visit("F2", on: "2023-06-01", dx: [Code.ivDrugAbuse]),
            visit("F3", on: "2024-02-01", dx: [Code.trauma]),
            visit("F4", on: "2010-02-01", dx: [Code.cancer]),
        ])
        #expect(all.outcome == .allow)
        #expect(all.reason == "RED_FLAG_CANCER")
        #expect(all.redFlags == defaultRedFlags.map(\.reason))
        #expect(all.evidence.filter { $0.rule.hasPrefix("RED_FLAG_") }.allSatisfy { $0.finding == "found" })

        let two = try decide(imagingOn: "2024-03-10", history: [
            visit("F1", on: "2024-03-15", dx: [Code.spinalInfection, Code.neurologic]),
        ])
        #expect(two.reason == "RED_FLAG_NEUROLOGIC")
        #expect(two.redFlags == ["RED_FLAG_NEUROLOGIC", "RED_FLAG_SPINAL_INFECTION"])
    }

    // MARK: Continuous enrollment (I−180 … D, at most one gap of at most 45 days)

    /// Two spans with a gap of `gapDays` days starting 2023-11-01 (inside I−180 … D for I = D = 2024-03-10).
    private func spansWithGap(_ gapDays: Int) -> [EligibilityRow] {
        let gapStart = day("2023-11-01")
        return [EligibilityRow(member: "M1", start: "2023-01-01", end: "2023-10-31"),
                EligibilityRow(member: "M1", start: gapStart.adding(days: gapDays).iso)]
    }

    @Test("a 45-day gap is continuous enrollment")
    func gapOf45Days() throws {
        let decision = try decide(imagingOn: "2024-03-10", history: [], eligibility: spansWithGap(45))
        #expect(decision.outcome == .deny)
        #expect(decision.reason == Reason.imagingWithin28Days)
        let evidence = try #require(decision.evidence.first { $0.rule == "ENROLLMENT" })
        #expect(evidence.finding == "continuous")
    }

    @Test("a 46-day gap is not")
    func gapOf46Days() throws {
        let decision = try decide(imagingOn: "2024-03-10", history: [], eligibility: spansWithGap(46))
        #expect(decision.outcome == .allow)
        #expect(decision.reason == Reason.insufficientEnrollment)
        #expect(decision.indexDay == day("2024-03-10"))
        let evidence = try #require(decision.evidence.first { $0.rule == "ENROLLMENT" })
        #expect(evidence.finding == "not_continuous")
        #expect(evidence.windowStart == day("2024-03-10").adding(days: -180))
        #expect(evidence.windowEnd == day("2024-03-10"))
    }

    @Test("two small gaps are not continuous")
    func twoSmallGaps() throws {
        let decision = try decide(imagingOn: "2024-03-10", history: [], eligibility: [
            EligibilityRow(member: "M1", start: "2023-01-01", end: "2023-10-31"),
            EligibilityRow(member: "M1", start: "2023-11-06", end: "2023-12-31"),
            EligibilityRow(member: "M1", start: "2024-01-06"),
        ])
        #expect(decision.reason == Reason.insufficientEnrollment)
    }

    @Test("uncovered days at the start of I−180 … D are a gap",
          arguments: [(45, Reason.imagingWithin28Days), (46, Reason.insufficientEnrollment), (0, Reason.imagingWithin28Days)])
    func gapAtTheStart(uncoveredDays: Int, reason: String) throws {
        let start = day("2024-03-10").adding(days: -180).adding(days: uncoveredDays)
        let decision = try decide(imagingOn: "2024-03-10", history: [], eligibility: [EligibilityRow(member: "M1", start: start.iso)])
        #expect(decision.reason == reason)
    }

    @Test("a gap at the start plus a gap in the middle are two gaps")
    func gapAtStartAndInTheMiddle() throws {
        let start = day("2024-03-10").adding(days: -170)
        let decision = try decide(imagingOn: "2024-03-10", history: [], eligibility: [
            EligibilityRow(member: "M1", start: start.iso, end: "2023-12-31"),
            EligibilityRow(member: "M1", start: "2024-01-11"),
        ])
        #expect(decision.reason == Reason.insufficientEnrollment)
    }

    @Test("only the part of a gap inside I−180 … D counts")
    func gapPartlyBeforeTheRange() throws {
        // Uncovered 2023-09-02 … 2023-10-19 (48 days), of which 2023-09-12 … 2023-10-19 (38 days) is in range.
        let decision = try decide(imagingOn: "2024-03-10", history: [], eligibility: [
            EligibilityRow(member: "M1", start: "2023-01-01", end: "2023-09-01"),
            EligibilityRow(member: "M1", start: "2023-10-20"),
        ])
        #expect(day("2024-03-10").adding(days: -180) == day("2023-09-12"))
        #expect(decision.reason == Reason.imagingWithin28Days)
    }

    @Test("coverage is the union of all spans, whatever the payer or plan")
    func unionOfPayers() throws {
        let decision = try decide(imagingOn: "2024-03-10", history: [], eligibility: [
            EligibilityRow(member: "M1", start: "2023-01-01", end: "2023-12-31", payer: "ACME", plan: "PPO"),
            EligibilityRow(member: "M1", start: "2023-12-01", payer: "OTHER", plan: "HMO"),
        ])
        #expect(decision.reason == Reason.imagingWithin28Days)
    }

    @Test("the lookback runs from I−180, not D−180: an index 28 days before D reaches further back")
    func lookbackFromIndexDate() throws {
        // I = 2024-03-01, D = 2024-03-29; coverage from D−180 + 1 leaves I−180 … D−180 (28 days) plus
        // nothing else uncovered: still one gap of at most 45 days, so continuous.
        let i = day("2024-03-01"), d = day("2024-03-29")
        let oneGap = try decide(imagingOn: d.iso, history: [visit("H1", on: i.iso, dx: [Code.lbp])],
                                eligibility: [EligibilityRow(member: "M1", start: d.adding(days: -180).iso)])
        #expect(oneGap.reason == Reason.imagingWithin28Days)
        let enrollment = try #require(oneGap.evidence.first { $0.rule == "ENROLLMENT" })
        #expect(enrollment.windowStart == i.adding(days: -180))
        // Coverage from I−180 + 46: a 46-day gap at the start.
        let longGap = try decide(imagingOn: d.iso, history: [visit("H1", on: i.iso, dx: [Code.lbp])],
                                 eligibility: [EligibilityRow(member: "M1", start: i.adding(days: -180 + 46).iso)])
        #expect(longGap.reason == Reason.insufficientEnrollment)
    }
}
