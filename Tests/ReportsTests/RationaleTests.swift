import History
import Policy
import Reports
import Testing
import TestSupport

/// The one-sentence rationale of each kind of decision, on decisions made by `lbp decide`'s own
/// run over small histories (POLICY.md's worked examples).
struct RationaleTests {
    /// Decides a history where M1 is enrolled from `enrolledFrom` and has `claims`; the sentence
    /// for claim `IMG` line 1.
    static func rationale(enrolledFrom: String? = "2023-01-01", claims: [ClaimRow], redFlags: [RedFlagSettings] = []) throws -> String {
        let history = try TestHistory()
        try history.loadEligibility([.init(member: "M1", start: enrolledFrom ?? "2023-01-01"),
                                     .init(member: "M2", start: "2023-01-01")].filter { enrolledFrom != nil || $0.member == "M2" })
        try history.loadClaims(claims)
        var settings = PolicySettings()
        settings.redFlags += redFlags
        _ = try DecideRun(db: history.db, policy: try ResolvedPolicy(settings: settings, db: history.db), clock: history.clock).run()
        let decision = try #require(try DecisionStore(history.db).current(claimID: "IMG", lineNumber: 1))
        return Rationale.sentence(for: decision)
    }

    static func visit(_ day: String, _ dx: [String], id: String = "V1") -> ClaimRow {
        ClaimRow(claim: id, member: "M1", start: day, hcpcs: "99213", dx: dx)
    }

    static func imaging(_ day: String, _ dx: [String], code: String = "72100") -> ClaimRow {
        ClaimRow(claim: "IMG", member: "M1", start: day, hcpcs: code, dx: dx)
    }

    @Test func aDenial() throws {
        let text = try Self.rationale(claims: [Self.visit("2024-03-01", ["M5450"]), Self.imaging("2024-03-10", ["M5450"], code: "72148")])
        #expect(text == "Not reimbursed (CO-50, N130): 72148 on 2024-03-10 is within 28 days of the first low back pain diagnosis"
                + " of a new episode (index date 2024-03-01, window through 2024-03-29), and no red flag was found.")
    }

    @Test func anotherPrimaryDiagnosis() throws {
        let text = try Self.rationale(claims: [Self.visit("2024-03-01", ["M5450"]), Self.imaging("2024-03-10", ["I10", "M5450"])])
        #expect(text == "Allowed: the claim's primary diagnosis I10 is not low back pain, so this policy does not apply to 72100 on 2024-03-10.")
    }

    @Test func noCoverage() throws {
        let text = try Self.rationale(enrolledFrom: nil, claims: [Self.imaging("2024-03-10", ["M5450"])])
        #expect(text == "Allowed without review: the member has no eligibility on 2024-03-10, so this policy does not judge 72100 on 2024-03-10; flagged for the data team.")
    }

    @Test func anEarlierDiagnosis() throws {
        let text = try Self.rationale(claims: [Self.visit("2024-01-05", ["M5450"]), Self.imaging("2024-03-10", ["M5450"])])
        #expect(text == "Allowed: low back pain was already diagnosed (M5450 on 2024-01-05), within 180 days before the index date 2024-03-10, so 72100 on 2024-03-10 is not in a new episode.")
    }

    @Test func notEnrolledLongEnough() throws {
        let text = try Self.rationale(enrolledFrom: "2024-02-01", claims: [Self.visit("2024-03-01", ["M5450"]), Self.imaging("2024-03-10", ["M5450"])])
        #expect(text == "Allowed: the member was not continuously enrolled from 2023-09-03 through 2024-03-10, so the plan cannot tell whether 72100 on 2024-03-10 is in a new episode.")
    }

    @Test func redFlagsTheFirstGivesTheReasonTheOthersAreNamed() throws {
        let text = try Self.rationale(claims: [Self.visit("2024-03-01", ["M5450", "R262"]), Self.visit("2024-03-05", ["S32.000A"], id: "V2"),
                                               Self.imaging("2024-03-10", ["M5450"])])
        #expect(text == "Allowed: red flag recent trauma (S32000A on 2024-03-05 in the window from 2023-03-01 through 2024-03-29); also neurologic impairment, so early imaging is justified for 72100 on 2024-03-10.")
    }

    @Test func cancerHasNoWindowStart() throws {
        let text = try Self.rationale(claims: [Self.visit("2019-05-01", ["C50911"], id: "V0"), Self.visit("2024-03-01", ["M5450"]),
                                               Self.imaging("2024-03-10", ["M5450"])])
        #expect(text == "Allowed: red flag cancer (C50911 on 2019-05-01 in the window on or before 2024-03-29), so early imaging is justified for 72100 on 2024-03-10.")
    }

    @Test func aRedFlagAPlanAdded() throws {
        let hiv = RedFlagSettings(reason: "RED_FLAG_HIV", valueSet: "HIV", from: .years(-1), to: .days(28))
        let text = try Self.rationale(claims: [Self.visit("2024-03-01", ["M5450", "B20"]), Self.imaging("2024-03-10", ["M5450"])], redFlags: [hiv])
        #expect(text.hasPrefix("Allowed: red flag HIV (B20 on 2024-03-01 in the window from 2023-03-01 through 2024-03-29)"))
    }
}
