import History
import Policy
import SQLiteDB
import TestSupport
import Testing

/// Deciding again after new data: replacements, voids and late red flags change decisions, the
/// changes are reported, unchanged decisions are kept as they are, and nothing is lost.
@Suite("Retro review: deciding again")
struct RetroReviewTests {
    static let january = History.Clock.fixed(1_767_225_600)   // 2026-01-01T00:00:00Z
    static let february = History.Clock.fixed(1_769_947_200)  // 2026-02-01T12:00:00Z

    @Test("a replacement (re-sent claim) with a new primary diagnosis changes the outcome")
    func replacementChangesOutcome() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10", dx: [Code.other])])
        let first = try history.decide()
        #expect(first.newDecisions == 1)
        #expect(try history.decision("IMG")?.reason == Reason.primaryDxNotLBP)

        let report = try history.loadClaims([imaging("IMG", start: "2024-03-10", dx: [Code.lbp], frequency: "7")])
        #expect(report.claimsReplaced == 1)
        let second = try history.decide()
        #expect(second.changedDecisions == 1)
        #expect(second.newDecisions == 0)
        #expect(second.changes.map(\.text) == ["IMG/1 outcome: ALLOW \(Reason.primaryDxNotLBP) -> DENY \(Reason.imagingWithin28Days)"])
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .deny)
        #expect(decision.line.loadID == report.loadID)
    }

    @Test("a replacement that drops an imaging line withdraws that line's decision")
    func replacementDropsALine() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([
            imaging("IMG", line: 1, start: "2024-03-10"),
            imaging("IMG", line: 2, start: "2024-03-10", hcpcs: Code.ct),
        ])
        #expect(try history.decide().newDecisions == 2)
        try history.loadClaims([imaging("IMG", line: 1, start: "2024-03-10", frequency: "7")])
        let second = try history.decide()
        #expect(second.withdrawnDecisions == 1)
        #expect(second.changes.map(\.text).contains("IMG/2 withdrawn: DENY \(Reason.imagingWithin28Days) -> - -"))
        #expect(try history.decision("IMG", line: 2) == nil)
        #expect(try history.decision("IMG", line: 1)?.outcome == .deny)
    }

    @Test("voiding the prior-LBP claim turns ALLOW PRIOR_LBP_DIAGNOSIS into DENY")
    func voidingThePriorDiagnosis() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([visit("H0", on: "2024-01-15", dx: [Code.lbp]), imaging("IMG", start: "2024-03-10")])
        try history.decide()
        #expect(try history.decision("IMG")?.reason == Reason.priorLBPDiagnosis)

        let report = try history.loadClaims([visit("H0", on: "2024-01-15", dx: [Code.lbp], frequency: "8")])
        #expect(report.claimsVoided == 1)
        let second = try history.decide()
        #expect(second.changes.map(\.text) == ["IMG/1 outcome: ALLOW \(Reason.priorLBPDiagnosis) -> DENY \(Reason.imagingWithin28Days)"])
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .deny)
        #expect(decision.indexDay == day("2024-03-10"))
    }

    @Test("voiding the imaging claim withdraws its decision, which stays in the history")
    func voidingTheImagingClaim() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10"), imaging("OTHER", start: "2024-03-08", hcpcs: Code.xray)])
        let first = try history.decide()
        let withdrawnID = try #require(try history.decision("IMG")?.decisionID)

        try history.loadClaims([imaging("IMG", start: "2024-03-10", frequency: "8")])
        let second = try history.decide()
        #expect(second.withdrawnDecisions == 1)
        #expect(second.linesDecided == 1)
        #expect(second.unchangedDecisions == 1)
        #expect(second.changes.map(\.text) == ["IMG/1 withdrawn: DENY \(Reason.imagingWithin28Days) -> - -"])
        #expect(try history.decision("IMG") == nil)
        #expect(try history.scalar("SELECT is_current FROM decision WHERE decision_id = ?", [.integer(withdrawnID)]) == 0)
        #expect(try history.scalar("""
            SELECT count(*) FROM decision_change WHERE run_id = ? AND claim_id = 'IMG' AND kind = 'withdrawn'
              AND previous_decision_id = ? AND new_decision_id IS NULL
            """, [.integer(second.runID), .integer(withdrawnID)]) == 1)
        #expect(try history.scalar("SELECT decisions_retired FROM decide_run WHERE run_id = ?", [.integer(second.runID)]) == 1)
        #expect(second.runID > first.runID)

        // Deciding again does not withdraw it twice.
        let third = try history.decide()
        #expect(third.withdrawnDecisions == 0)
        #expect(third.changes.isEmpty)
    }

    @Test("a late red flag (trauma at I+10 in a later file) turns DENY into ALLOW, and the old decision is kept")
    func lateRedFlag() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([visit("H1", on: "2024-03-01", dx: [Code.lbp]), imaging("IMG", start: "2024-03-10")], name: "march.csv")
        let first = try history.decide(clock: Self.january)
        let denied = try #require(try history.decision("IMG"))
        #expect(denied.outcome == .deny)

        try history.loadClaims([visit("T1", on: "2024-03-11", dx: [Code.trauma])], name: "april.csv")
        let second = try history.decide(clock: Self.february)
        #expect(second.changedDecisions == 1)
        #expect(second.changes.map(\.text) == ["IMG/1 outcome: DENY \(Reason.imagingWithin28Days) -> ALLOW RED_FLAG_TRAUMA"])

        let allowed = try #require(try history.decision("IMG"))
        #expect(allowed.outcome == .allow)
        #expect(allowed.reason == "RED_FLAG_TRAUMA")
        #expect(allowed.indexDay == day("2024-03-01"))
        #expect(allowed.decidedAt == "2026-02-01T12:00:00Z")
        #expect(allowed.decisionID != denied.decisionID)

        // The history keeps the denial, no longer current, and links the two.
        let oldID = try #require(denied.decisionID), newID = try #require(allowed.decisionID)
        #expect(try history.scalar("SELECT count(*) FROM decision WHERE claim_id = 'IMG' AND line_number = 1") == 2)
        #expect(try history.scalar("SELECT is_current FROM decision WHERE decision_id = ?", [.integer(oldID)]) == 0)
        #expect(try history.scalar("SELECT is_current FROM decision WHERE decision_id = ?", [.integer(newID)]) == 1)
        #expect(try history.db.scalarText("SELECT outcome FROM decision WHERE decision_id = ?", [.integer(oldID)]) == "DENY")
        #expect(try history.db.scalarText("SELECT decided_at FROM decision WHERE decision_id = ?", [.integer(oldID)]) == "2026-01-01T00:00:00Z")
        #expect(try history.scalar("""
            SELECT count(*) FROM decision_change WHERE run_id = ? AND kind = 'outcome' AND previous_decision_id = ? AND new_decision_id = ?
            """, [.integer(second.runID), .integer(oldID), .integer(newID)]) == 1)
        let old = try #require(try DecisionStore(history.db).decision(id: oldID))
        #expect(old.outcome == .deny)
        #expect(old.evidence.count == denied.evidence.count)
        #expect(first.runID < second.runID)
    }

    @Test("a cancer diagnosis dated I+10 arriving next month turns a DENY into an ALLOW")
    func lateCancer() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([visit("H1", on: "2024-03-01", dx: [Code.lbp]), imaging("IMG", start: "2024-03-10")])
        try history.decide()
        try history.loadClaims([visit("C1", on: "2024-03-11", dx: [Code.other, Code.cancer])])
        let second = try history.decide()
        #expect(second.changes.map(\.kind) == ["outcome"])
        #expect(second.changes.first?.reason == "RED_FLAG_CANCER")
    }

    @Test("a change of reason only is logged as kind reason")
    func reasonChange() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10", dx: [Code.lbp, Code.trauma])])
        try history.decide()
        try history.loadClaims([visit("C1", on: "2020-01-01", dx: [Code.cancer])])
        let second = try history.decide()
        #expect(second.changes.map(\.text) == ["IMG/1 reason: ALLOW RED_FLAG_TRAUMA -> ALLOW RED_FLAG_CANCER"])
        #expect(try history.decision("IMG")?.redFlags == ["RED_FLAG_CANCER", "RED_FLAG_TRAUMA"])
    }

    @Test("new evidence that keeps outcome, reason, index date and red flags refreshes the decision, not a change")
    func evidenceChange() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([visit("H0", on: "2024-01-15", dx: [Code.lbp]), imaging("IMG", start: "2024-03-10")])
        try history.decide()
        try history.loadClaims([visit("H00", on: "2024-02-01", dx: [Code.other, Code.lbp])])
        let second = try history.decide()
        #expect(second.changes.isEmpty)
        #expect(second.changedDecisions == 0)
        #expect(second.refreshedDecisions == 1)
        let prior = try #require(try history.decision("IMG")?.evidence.first { $0.rule == "PRIOR_LBP" })
        #expect(prior.claimID == "H00")
    }

    @Test("deciding twice over unchanged data changes nothing and keeps ids and decided-at")
    func decidingTwice() throws {
        let history = try TestHistory.enrolled()
        try history.loadEligibility([EligibilityRow(member: "M2", start: "2024-02-01")])
        try history.loadClaims([
            visit("H1", on: "2024-03-01", dx: [Code.lbp]),
            imaging("A", start: "2024-03-10"),
            imaging("B", start: "2024-03-30", hcpcs: Code.xray),
            imaging("C", start: "2024-03-10", dx: [Code.lbp, Code.neurologic]),
            imaging("D", member: "M2", start: "2024-03-10"),
            imaging("E", member: "M3", start: "2024-03-10"),
        ])
        let first = try history.decide(clock: Self.january)
        #expect(first.linesDecided == 5)
        #expect(first.newDecisions == 5)
        var before: [String: (Int64?, String?)] = [:]
        try DecisionStore(history.db).forEachCurrent(DecisionFilter()) { before[$0.line.claimID] = ($0.decisionID, $0.decidedAt) }

        let incremental = try history.decide(clock: Self.february)
        #expect(incremental.mode == "incremental")
        #expect(incremental.linesDecided == 0)
        let second = try history.decide(clock: Self.february, full: true)
        #expect(second.mode == "full")
        #expect(second.linesDecided == 5)
        #expect(second.unchangedDecisions == 5)
        #expect(second.newDecisions == 0)
        #expect(second.changedDecisions == 0)
        #expect(second.withdrawnDecisions == 0)
        #expect(second.changes.isEmpty)
        #expect(second.byReason == first.byReason)
        #expect(second.policyVersion == first.policyVersion)
        var after: [String: (Int64?, String?)] = [:]
        try DecisionStore(history.db).forEachCurrent(DecisionFilter()) { after[$0.line.claimID] = ($0.decisionID, $0.decidedAt) }
        #expect(after.keys.sorted() == ["A", "B", "C", "D", "E"])
        for (claim, value) in after {
            #expect(value.0 == before[claim]?.0)
            #expect(value.1 == before[claim]?.1)
            #expect(value.1 == "2026-01-01T00:00:00Z")
        }
        #expect(try history.scalar("SELECT count(*) FROM decision") == 5)
        #expect(try history.scalar("SELECT count(*) FROM decision_change") == 0)
        #expect(try history.scalar("SELECT count(*) FROM decide_run") == 3)
    }

    @Test("the summary counts decisions by outcome and reason")
    func summaryByReason() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([
            visit("H1", on: "2024-03-01", dx: [Code.lbp]),
            imaging("A", start: "2024-03-10"),
            imaging("B", start: "2024-03-12"),
            imaging("C", start: "2024-03-10", dx: [Code.other]),
        ])
        let summary = try history.decide()
        #expect(summary.byReason.map(\.text) == ["ALLOW \(Reason.primaryDxNotLBP) 1", "DENY \(Reason.imagingWithin28Days) 2"])
        #expect(try history.scalar("SELECT lines_decided FROM decide_run WHERE run_id = ?", [.integer(summary.runID)]) == 3)
        #expect(try history.scalar("SELECT decisions_new FROM decide_run WHERE run_id = ?", [.integer(summary.runID)]) == 3)
    }

    @Test("a run scoped to one member neither decides nor withdraws other members' lines")
    func scopedRun() throws {
        let history = try TestHistory.enrolled()
        try history.loadEligibility([EligibilityRow(member: "M2", start: "2023-01-01")])
        try history.loadClaims([imaging("A", start: "2024-03-10"), imaging("B", member: "M2", start: "2024-03-10")])
        try history.decide()
        try history.loadClaims([imaging("A", start: "2024-03-10", frequency: "8")])
        let policy = try ResolvedPolicy(settings: PolicySettings(), db: history.db)
        let scoped = try DecideRun(db: history.db, policy: policy, clock: history.clock).run(scope: DecisionFilter(memberID: "M2"))
        #expect(scoped.linesDecided == 1)
        #expect(scoped.withdrawnDecisions == 0)
        #expect(try history.decision("A") != nil)
        let all = try history.decide()
        #expect(all.withdrawnDecisions == 1)
        #expect(try history.decision("A") == nil)
    }
}
