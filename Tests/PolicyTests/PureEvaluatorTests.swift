import Foundation
import History
import Policy
import Testing

/// The rules and their boundaries on in-memory member histories: no database is opened here.
@Suite("Evaluator on in-memory histories")
struct PureEvaluatorTests {
    private static let evaluator = Evaluator(policy: ResolvedPolicy(settings: PolicySettings(), version: "test"))

    /// A dated diagnosis on a claim: (value set, date, claim, position).
    private struct Dx {
        let set: String, date: String, claim: String, position: Int
        init(_ set: String, _ date: String, claim: String = "H1", position: Int = 1) {
            self.set = set
            self.date = date
            self.claim = claim
            self.position = position
        }
    }

    private func day(_ iso: String) -> Day { Day(iso: iso)! }

    /// Decides an imaging line on `date` whose own claim has the primary diagnosis `primarySet`
    /// (LOW_BACK_PAIN by default), for a member enrolled over `spans`.
    private func decide(imagingOn date: String, claimStart: String? = nil, primarySet: String? = "LOW_BACK_PAIN",
                        history events: [Dx], spans: [(String, String?)] = [("2020-01-01", nil)],
                        plan: String = "PPO", settings: PolicySettings = PolicySettings()) -> Decision {
        let start = claimStart ?? date
        var all = events
        if let primarySet { all.append(Dx(primarySet, start, claim: "IMG")) }
        var byCategory: [String: [DxEventRef]] = [:]
        for dx in all {
            byCategory[dx.set, default: []].append(
                DxEventRef(day: day(dx.date), claimID: dx.claim, position: dx.position, code: "X", loadID: 1))
        }
        let history = MemberHistory(memberID: "M1", events: byCategory, spans: spans.map {
            EligibilitySpan(start: day($0.0), end: $0.1.map(day), payer: "ACME", plan: plan, loadID: 1)
        })
        let line = ImagingLine(claimID: "IMG", lineNumber: 1, memberID: "M1", serviceDay: day(date), hcpcsCode: "72148",
                               claimType: "professional", claimStartDay: day(start), primaryDiagnosis: "X", loadID: 1)
        let evaluator = settings == PolicySettings() ? Self.evaluator : Evaluator(policy: ResolvedPolicy(settings: settings, version: "t"))
        return evaluator.decide(line, history: history)
    }

    // MARK: The worked examples

    @Test("LBP Mar 1, imaging Mar 10: DENY with I = Mar 1")
    func nineDays() {
        let decision = decide(imagingOn: "2024-03-10", history: [Dx("LOW_BACK_PAIN", "2024-03-01")])
        #expect(decision.outcome == .deny)
        #expect(decision.reason == Reason.imagingWithin28Days)
        #expect(decision.indexDay == day("2024-03-01"))
        #expect(decision.windowEndDay == day("2024-03-29"))
        #expect(decision.denial == DenialCodes())
    }

    @Test("imaging on I+28 is denied; on I+29 the first diagnosis is 29 days before I = D", arguments: [
        ("2024-03-29", Outcome.deny, Reason.imagingWithin28Days, "2024-03-01"),
        ("2024-03-30", Outcome.allow, Reason.priorLBPDiagnosis, "2024-03-30"),
    ])
    func windowEdge(date: String, outcome: Outcome, reason: String, index: String) {
        let decision = decide(imagingOn: date, history: [Dx("LOW_BACK_PAIN", "2024-03-01")])
        #expect(decision.outcome == outcome)
        #expect(decision.reason == reason)
        #expect(decision.indexDay == day(index))
    }

    @Test("no earlier LBP: the imaging claim itself sets I = D")
    func ownClaimIsTheIndex() {
        let decision = decide(imagingOn: "2024-03-10", history: [])
        #expect(decision.outcome == .deny)
        #expect(decision.indexDay == day("2024-03-10"))
        #expect(decision.evidence.first { $0.rule == EvidenceRule.indexDate }?.claimID == "IMG")
    }

    @Test("a claim that starts Jun 1 with an imaging line on Jun 10 gives I = Jun 1")
    func claimStartIsTheIndex() {
        let decision = decide(imagingOn: "2024-06-10", claimStart: "2024-06-01", history: [])
        #expect(decision.indexDay == day("2024-06-01"))
        #expect(decision.outcome == .deny)
    }

    @Test("a secondary LBP diagnosis within 180 days before I makes it not a new episode")
    func secondaryPriorDiagnosis() {
        let decision = decide(imagingOn: "2024-03-10", history: [
            Dx("LOW_BACK_PAIN", "2024-01-01", claim: "H0", position: 2), Dx("LOW_BACK_PAIN", "2024-03-01"),
        ])
        #expect(decision.reason == Reason.priorLBPDiagnosis)
        #expect(decision.evidence.first { $0.rule == EvidenceRule.priorLBP }?.claimID == "H0")
    }

    @Test("the prior-episode lookback is I−180 … I−1", arguments: [
        ("2023-09-03", Reason.priorLBPDiagnosis),   // I−180
        ("2023-09-02", Reason.imagingWithin28Days), // I−181
        ("2023-08-01", Reason.imagingWithin28Days), // 213 days: a new episode
    ])
    func priorEpisodeBoundary(prior: String, reason: String) {
        let decision = decide(imagingOn: "2024-03-10", history: [
            Dx("LOW_BACK_PAIN", prior, claim: "H0"), Dx("LOW_BACK_PAIN", "2024-03-01"),
        ])
        #expect(decision.reason == reason)
    }

    @Test("cancer at any date up to I+28 is a red flag; later is not", arguments: [
        ("2019-05-05", "RED_FLAG_CANCER"),
        ("2024-03-29", "RED_FLAG_CANCER"),
        ("2024-03-30", Reason.imagingWithin28Days),
    ])
    func cancerWindow(date: String, reason: String) {
        let decision = decide(imagingOn: "2024-03-10", history: [Dx("LOW_BACK_PAIN", "2024-03-01"), Dx("CANCER", date, claim: "K1")])
        #expect(decision.reason == reason)
    }

    @Test("trauma from one calendar year before I through I+28", arguments: [
        ("2023-03-01", "RED_FLAG_TRAUMA"), ("2023-02-28", Reason.imagingWithin28Days),
        ("2024-03-29", "RED_FLAG_TRAUMA"), ("2024-04-05", Reason.imagingWithin28Days),
    ])
    func traumaWindow(date: String, reason: String) {
        let decision = decide(imagingOn: "2024-03-10", history: [Dx("LOW_BACK_PAIN", "2024-03-01"), Dx("TRAUMA", date, claim: "T1")])
        #expect(decision.reason == reason)
    }

    @Test("one year before Feb 29 is Feb 28")
    func leapDayYearEarlier() {
        let decision = decide(imagingOn: "2024-03-05", history: [Dx("LOW_BACK_PAIN", "2024-02-29"), Dx("TRAUMA", "2023-02-28", claim: "T1")])
        #expect(decision.indexDay == day("2024-02-29"))
        #expect(decision.reason == "RED_FLAG_TRAUMA")
        #expect(decision.evidence.first { $0.rule == "RED_FLAG_TRAUMA" }?.windowStart == day("2023-02-28"))
    }

    @Test("every red flag present is recorded; the first in policy order is the reason")
    func allRedFlagsRecorded() {
        let decision = decide(imagingOn: "2024-03-10", history: [
            Dx("LOW_BACK_PAIN", "2024-03-01"), Dx("SPINAL_INFECTION", "2024-03-02", claim: "S1"),
            Dx("IV_DRUG_ABUSE", "2024-02-01", claim: "D1"), Dx("NEUROLOGIC_IMPAIRMENT", "2024-03-20", claim: "N1"),
        ])
        #expect(decision.outcome == .allow)
        #expect(decision.reason == "RED_FLAG_IV_DRUG_ABUSE")
        #expect(decision.redFlags == ["RED_FLAG_IV_DRUG_ABUSE", "RED_FLAG_NEUROLOGIC", "RED_FLAG_SPINAL_INFECTION"])
    }

    @Test("an imaging claim billed for another primary diagnosis is not this policy's")
    func primaryNotLBP() {
        let decision = decide(imagingOn: "2024-03-10", primarySet: "CANCER", history: [Dx("LOW_BACK_PAIN", "2024-03-01")])
        #expect(decision.reason == Reason.primaryDxNotLBP)
        #expect(decision.indexDay == nil)
    }

    @Test("no span covering D: NO_COVERAGE; an exempt plan: PLAN_EXEMPT")
    func coverageAndPlan() {
        let uncovered = decide(imagingOn: "2024-03-10", history: [], spans: [("2020-01-01", "2024-03-09")])
        #expect(uncovered.reason == Reason.noCoverage)
        var settings = PolicySettings()
        settings.exemptPlans = ["STATE-MANDATED"]
        let exempt = decide(imagingOn: "2024-03-10", history: [], plan: "STATE-MANDATED", settings: settings)
        #expect(exempt.reason == Reason.planExempt)
    }

    @Test("enrolled from Feb 1: the 180-day lookback is not covered")
    func insufficientEnrollment() {
        let decision = decide(imagingOn: "2024-03-10", history: [Dx("LOW_BACK_PAIN", "2024-03-01")], spans: [("2024-02-01", nil)])
        #expect(decision.reason == Reason.insufficientEnrollment)
    }

    @Test("one gap of 45 days is continuous; 46 days is not", arguments: [
        ("2023-12-01", Reason.imagingWithin28Days), ("2023-12-02", Reason.insufficientEnrollment),
    ])
    func enrollmentGap(resume: String, reason: String) {
        // Covered until 2023-10-16, again from `resume`: a gap of 45 (or 46) days.
        let decision = decide(imagingOn: "2024-03-10", history: [Dx("LOW_BACK_PAIN", "2024-03-01")],
                              spans: [("2020-01-01", "2023-10-16"), (resume, nil)])
        #expect(decision.reason == reason)
    }

    // MARK: Applying a candidate claim

    @Test("a candidate claim replaces the stored version's events; a void removes them")
    func applyingACandidate() {
        let stored = MemberHistory(memberID: "M1", events: [
            "TRAUMA": [DxEventRef(day: day("2024-03-02"), claimID: "C9", position: 2, code: "S32000A", loadID: 3)],
        ], spans: [])
        #expect(stored.latestEvent("TRAUMA", from: nil, to: day("2024-12-31"))?.claimID == "C9")
        let replaced = stored.applying(claimID: "C9", events: [
            ("CANCER", DxEventRef(day: day("2024-03-05"), claimID: "C9", position: 1, code: "C50911", loadID: nil)),
        ])
        #expect(replaced.latestEvent("TRAUMA", from: nil, to: day("2024-12-31")) == nil)
        #expect(replaced.latestEvent("CANCER", from: nil, to: day("2024-12-31"))?.day == day("2024-03-05"))
        #expect(stored.applying(claimID: "C9", events: nil).events["TRAUMA"]?.isEmpty == true)
    }

    @Test("events of one day are ordered by claim id bytes, then position")
    func databaseOrder() {
        let history = MemberHistory(memberID: "M1", events: [
            "LOW_BACK_PAIN": [
                DxEventRef(day: day("2024-03-01"), claimID: "b", position: 1, code: "X", loadID: 1),
                DxEventRef(day: day("2024-03-01"), claimID: "a", position: 2, code: "X", loadID: 1),
                DxEventRef(day: day("2024-03-01"), claimID: "a", position: 1, code: "X", loadID: 1),
            ],
        ], spans: [])
        let latest = history.latestEvent("LOW_BACK_PAIN", from: day("2024-01-01"), to: day("2024-03-01"))
        #expect(latest?.claimID == "a")
        #expect(latest?.position == 1)
    }

    // MARK: Arithmetic at the edges

    @Test("a line dated 9999-12-31 under a +100y window decides without trapping")
    func farFutureDates() {
        var settings = PolicySettings()
        settings.redFlags[1].to = .years(100)
        let decision = decide(imagingOn: "9999-12-31", history: [], settings: settings)
        #expect(decision.outcome == .deny)
        #expect(decision.evidence.first { $0.rule == "RED_FLAG_TRAUMA" }?.windowEnd?.components.year == 10099)
    }

    @Test("settings beyond the bounds are refused with a reason", arguments: [
        #"{"redFlags": [{"reason": "R", "valueSet": "TRAUMA", "from": "-1y", "to": "+20000y"}]}"#,
        #"{"imagingWindowDays": 99999999999}"#,
        #"{"redFlags": [{"reason": "R", "valueSet": "TRAUMA", "from": "-9223372036854775808d", "to": "+1d"}]}"#,
        #"{"imagingValueSets": []}"#,
        #"{"enrollment": {"lookbackDays": -1}}"#,
    ])
    func boundedSettings(json: String) throws {
        let settings = try JSONDecoder().decode(PolicySettings.self, from: Data(json.utf8))
        #expect(settings.problem != nil)
    }
}
