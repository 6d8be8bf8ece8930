import Foundation
import History
import Policy
import TestSupport
import Testing
import ValueSets

/// Policy settings files: what they change, what they keep, what is rejected, and the policy
/// version that follows settings and value sets.
@Suite("Policy settings files and policy versions")
struct PolicySettingsTests {
    /// The default red flags as JSON objects, to which a file may add one.
    static let defaultRedFlagsJSON = """
        {"reason":"RED_FLAG_CANCER","valueSet":"CANCER","from":null,"to":"+28d"},
        {"reason":"RED_FLAG_TRAUMA","valueSet":"TRAUMA","from":"-1y","to":"+28d"},
        {"reason":"RED_FLAG_IV_DRUG_ABUSE","valueSet":"IV_DRUG_ABUSE","from":"-1y","to":"+28d"},
        {"reason":"RED_FLAG_NEUROLOGIC","valueSet":"NEUROLOGIC_IMPAIRMENT","from":"-1y","to":"+28d"},
        {"reason":"RED_FLAG_SPINAL_INFECTION","valueSet":"SPINAL_INFECTION","from":"-1y","to":"+28d"}
        """

    /// Writes `json` to a settings file and loads it.
    private func load(_ json: String) throws -> PolicySettings {
        let directory = TemporaryDirectory()
        return try PolicySettings.load(path: directory.write("policy.json", json))
    }

    /// Whether loading `json` is rejected as an invalid policy file.
    private func isRejected(_ json: String) -> Bool {
        do { _ = try load(json); return false } catch is PolicySettings.Invalid { return true } catch { return false }
    }

    @Test("an added HIV red flag turns a DENY into ALLOW RED_FLAG_HIV, under another policy version")
    func hivRedFlag() throws {
        let settings = try load("""
            {"redFlags": [\(Self.defaultRedFlagsJSON),
              {"reason":"RED_FLAG_HIV","valueSet":"HIV","from":"-1y","to":"+28d"}]}
            """)
        #expect(settings.redFlags.count == 6)
        #expect(settings.redFlags.last == RedFlagSettings(reason: "RED_FLAG_HIV", valueSet: "HIV", from: .years(-1), to: .days(28)))
        #expect(Array(settings.redFlags.prefix(5)) == PolicySettings().redFlags)

        let history = try TestHistory.enrolled()
        try history.loadClaims([visit("H", on: "2023-11-01", dx: [Code.hiv]), imaging("IMG", start: "2024-03-10")])
        let before = try history.decide()
        #expect(try history.decision("IMG")?.outcome == .deny)

        let after = try history.decide(settings)
        #expect(after.policyVersion != before.policyVersion)
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .allow)
        #expect(decision.reason == "RED_FLAG_HIV")
        #expect(decision.redFlags == ["RED_FLAG_HIV"])
        #expect(decision.policyVersion == after.policyVersion)
        #expect(after.changes.map(\.kind) == ["outcome"])
    }

    @Test("a trauma lookback of -90d: a trauma 100 days before I no longer allows; 90 days still does")
    func traumaLookback90Days() throws {
        let settings = try load("""
            {"redFlags": [
              {"reason":"RED_FLAG_CANCER","valueSet":"CANCER","to":"+28d"},
              {"reason":"RED_FLAG_TRAUMA","valueSet":"TRAUMA","from":"-90d","to":"+28d"}]}
            """)
        #expect(settings.redFlags[0].from == .unbounded)
        #expect(settings.redFlags[1].from == .days(-90))

        let i = day("2024-03-10")
        let history = try TestHistory.enrolled()
        try history.loadEligibility([EligibilityRow(member: "M2", start: "2023-01-01")])
        try history.loadClaims([
            visit("T1", on: i.adding(days: -100).iso, dx: [Code.trauma]),
            imaging("IMG", start: i.iso),
            visit("T2", member: "M2", on: i.adding(days: -90).iso, dx: [Code.trauma]),
            imaging("IMG2", member: "M2", start: i.iso),
        ])
        try history.decide()
        #expect(try history.decision("IMG")?.reason == "RED_FLAG_TRAUMA")
        #expect(try history.decision("IMG2")?.reason == "RED_FLAG_TRAUMA")

        try history.decide(settings)
        #expect(try history.decision("IMG")?.outcome == .deny)
        #expect(try history.decision("IMG2")?.reason == "RED_FLAG_TRAUMA")
        let window = try #require(try history.decision("IMG")?.evidence.first { $0.rule == "RED_FLAG_TRAUMA" })
        #expect(window.windowStart == i.adding(days: -90))
    }

    @Test("enrollment disabled: a short enrollment no longer allows; omitted enrollment keys keep their defaults")
    func enrollmentDisabled() throws {
        let settings = try load(#"{"enrollment": {"enabled": false}}"#)
        #expect(settings.enrollment.enabled == false)
        #expect(settings.enrollment.lookbackDays == 180)
        #expect(settings.enrollment.maxGaps == 1)
        #expect(settings.enrollment.maxGapDays == 45)

        let history = try TestHistory.enrolled(from: "2024-02-01")
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        try history.decide()
        #expect(try history.decision("IMG")?.reason == Reason.insufficientEnrollment)
        try history.decide(settings)
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.outcome == .deny)
        #expect(!decision.evidence.contains { $0.rule == "ENROLLMENT" })
    }

    @Test("a larger gap allowance accepts a 46-day gap")
    func gapAllowance() throws {
        let settings = try load(#"{"enrollment": {"maxGapDays": 60}}"#)
        let history = try TestHistory()
        try history.loadEligibility([
            EligibilityRow(member: "M1", start: "2023-01-01", end: "2023-10-31"),
            EligibilityRow(member: "M1", start: day("2023-11-01").adding(days: 46).iso),
        ])
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        try history.decide()
        #expect(try history.decision("IMG")?.reason == Reason.insufficientEnrollment)
        try history.decide(settings)
        #expect(try history.decision("IMG")?.reason == Reason.imagingWithin28Days)
    }

    @Test("omitted keys keep their defaults", arguments: ["{}", #"{"policyID": "LBP-IMAGING-001"}"#, #"{"enrollment": {}}"#])
    func omittedKeys(json: String) throws {
        #expect(try load(json) == PolicySettings())
    }

    @Test("each key read from a file")
    func everyKey() throws {
        let settings = try load("""
            {"policyID": "PLAN-7", "episodeValueSet": "LOW_BACK_PAIN", "imagingValueSets": ["IMAGING_MRI"],
             "imagingWindowDays": 42, "priorEpisodeLookbackDays": 365, "exemptPlans": ["MANDATED"],
             "enrollment": {"enabled": true, "lookbackDays": 90, "maxGaps": 2, "maxGapDays": 30},
             "redFlags": [{"reason": "RED_FLAG_CANCER", "valueSet": "CANCER", "to": "0d"}],
             "denial": {"groupCode": "PR", "carc": "96", "rarc": "N386"}}
            """)
        #expect(settings.policyID == "PLAN-7")
        #expect(settings.imagingValueSets == ["IMAGING_MRI"])
        #expect(settings.imagingWindowDays == 42)
        #expect(settings.priorEpisodeLookbackDays == 365)
        #expect(settings.exemptPlans == ["MANDATED"])
        #expect(settings.enrollment.lookbackDays == 90)
        #expect(settings.enrollment.maxGaps == 2)
        #expect(settings.enrollment.maxGapDays == 30)
        #expect(settings.redFlags == [RedFlagSettings(reason: "RED_FLAG_CANCER", valueSet: "CANCER", from: .unbounded, to: .days(0))])
        #expect(settings.denial.groupCode == "PR")
        #expect(settings.denial.carc == "96")
        #expect(settings.denial.rarc == "N386")
    }

    @Test("the denial codes and policy id of the settings travel with a denial")
    func denialCodesFromSettings() throws {
        let settings = try load(#"{"policyID": "PLAN-7", "denial": {"carc": "96"}}"#)
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10")])
        try history.decide(settings)
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.policyID == "PLAN-7")
        #expect(decision.denial?.groupCode == "CO")
        #expect(decision.denial?.carc == "96")
        #expect(decision.denial?.rarc == "N130")
    }

    @Test("an added imaging value set makes its lines imaging lines")
    func extraImagingValueSet() throws {
        let settings = try load(#"{"imagingValueSets": ["IMAGING_XRAY", "IMAGING_CT", "IMAGING_MRI", "IMAGING_CANDIDATES"]}"#)
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10", hcpcs: "72080")])
        #expect(try history.decide().linesDecided == 0)
        #expect(try history.decide(settings).linesDecided == 1)
        #expect(try history.decision("IMG")?.outcome == .deny)
    }

    @Test("an imaging value set named twice still gives one decision per line")
    func duplicateImagingValueSet() throws {
        let settings = try load(#"{"imagingValueSets": ["IMAGING_MRI", "IMAGING_MRI", "IMAGING_CT"]}"#)
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10"), imaging("X", start: "2024-03-10", hcpcs: Code.xray)])
        let summary = try history.decide(settings)
        #expect(summary.linesDecided == 1)
        #expect(try history.decision("X") == nil)
    }

    @Test("invalid files are rejected", arguments: [
        "{",
        "not json at all",
        "[]",
        "null",
        #"{"redFlags": [{"reason": "RED_FLAG_X", "valueSet": "CANCER", "from": "-1y", "to": null}]}"#,
        #"{"redFlags": [{"reason": "RED_FLAG_X", "valueSet": "CANCER", "from": "-1y"}]}"#,
        #"{"redFlags": [{"reason": "RED_FLAG_X", "valueSet": "CANCER", "from": "-1w", "to": "+28d"}]}"#,
        #"{"redFlags": [{"reason": "", "valueSet": "CANCER", "to": "+28d"}]}"#,
        #"{"redFlags": [{"reason": "A", "valueSet": "CANCER", "to": "+28d"}, {"reason": "A", "valueSet": "TRAUMA", "to": "+28d"}]}"#,
        #"{"imagingWindowDays": -1}"#,
        #"{"imagingValueSets": []}"#,
        #"{"policyID": ""}"#,
        #"{"exemptPlans": "PPO"}"#,
        #"{"enrollment": {"maxGapDays": -5}}"#,
    ])
    func invalidFiles(json: String) {
        #expect(isRejected(json))
    }

    @Test("a missing file is rejected, naming the file")
    func missingFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("absent.json")
        let error = try #require(throws: PolicySettings.Invalid.self) { try PolicySettings.load(path: path) }
        #expect(error.path == path)
        #expect(error.description.contains(path))
    }

    @Test("a value set the database does not hold is rejected when the policy is resolved")
    func unknownValueSet() throws {
        let settings = try load(#"{"redFlags": [{"reason": "RED_FLAG_X", "valueSet": "NO_SUCH_SET", "to": "+28d"}]}"#)
        let history = try TestHistory()
        let error = try #require(throws: ResolvedPolicy.MissingValueSet.self) {
            try ResolvedPolicy(settings: settings, db: history.db)
        }
        #expect(error.names == ["NO_SUCH_SET"])
        #expect(error.description.contains("NO_SUCH_SET"))
    }

    @Test("the policy version differs between settings and is stable for equal settings")
    func versions() throws {
        let one = try TestHistory(), two = try TestHistory()
        let base = try ResolvedPolicy(settings: PolicySettings(), db: one.db).version
        #expect(try ResolvedPolicy(settings: PolicySettings(), db: one.db).version == base)
        #expect(try ResolvedPolicy(settings: PolicySettings(), db: two.db).version == base)
        #expect(try ResolvedPolicy(settings: load("{}"), db: one.db).version == base)
        #expect(base.hasPrefix(Engine.version + "+"))

        var exempt = PolicySettings()
        exempt.exemptPlans = ["MANDATED"]
        var lookback = PolicySettings()
        lookback.redFlags[1].from = .days(-90)
        var gap = PolicySettings()
        gap.enrollment.maxGapDays = 44
        var denial = PolicySettings()
        denial.denial.rarc = "N386"
        let versions = try [exempt, lookback, gap, denial].map { try ResolvedPolicy(settings: $0, db: one.db).version }
        #expect(Set(versions + [base]).count == 5)
        #expect(try ResolvedPolicy(settings: exempt, db: two.db).version == versions[0])
    }

    @Test("changing a value set the policy uses changes the version; one it does not use leaves it")
    func valueSetChangesVersion() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([imaging("IMG", start: "2024-03-10", dx: [Code.lbp, Code.other])])
        let before = try history.decide()
        #expect(try history.decision("IMG")?.outcome == .deny)

        let all = EmbeddedValueSets.all()
        let candidates = try #require(all.first { $0.name == "IMAGING_CANDIDATES" })
        try ValueSetStore(history.db).upsert([ValueSet(
            name: candidates.name, codeSystem: candidates.codeSystem,
            codes: candidates.codes + [ValueSet.Code(code: "72199", description: "test")], origin: "test")])
        #expect(try ResolvedPolicy(settings: PolicySettings(), db: history.db).version == before.policyVersion)

        let trauma = try #require(all.first { $0.name == "TRAUMA" })
        try ValueSetStore(history.db).upsert([ValueSet(
            name: trauma.name, codeSystem: trauma.codeSystem,
            codes: trauma.codes + [ValueSet.Code(code: Code.other, description: "test: hypertension as trauma")], origin: "test")])
        let after = try history.decide()
        #expect(after.policyVersion != before.policyVersion)
        let decision = try #require(try history.decision("IMG"))
        #expect(decision.reason == "RED_FLAG_TRAUMA")
        #expect(after.changes.map(\.kind) == ["outcome"])
    }

    @Test("a new policy version with the same answers re-decides everything and changes no decision")
    func policyChange() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([
            visit("H1", on: "2024-03-01", dx: [Code.lbp]),
            imaging("A", start: "2024-03-10"),
            imaging("B", start: "2024-03-30"),
        ])
        let first = try history.decide()
        let before = try #require(try history.decision("A"))
        var settings = PolicySettings()
        settings.exemptPlans = ["SOME-OTHER-PLAN"]
        let second = try history.decide(settings)
        #expect(second.policyVersion != first.policyVersion)
        #expect(second.mode == "full")
        #expect(second.linesDecided == 2)
        #expect(second.changedDecisions == 0)
        #expect(second.refreshedDecisions == 2)
        #expect(second.changes.isEmpty)
        let after = try #require(try history.decision("A"))
        #expect(after.policyVersion == second.policyVersion)
        #expect(after.decisionID == before.decisionID)
        #expect(after.decidedAt == before.decidedAt)
        #expect(try history.scalar("SELECT count(*) FROM decision_change") == 0)
    }

    @Test("settings encode and decode to themselves")
    func roundTrip() throws {
        var settings = PolicySettings()
        settings.exemptPlans = ["X"]
        settings.redFlags.append(RedFlagSettings(reason: "RED_FLAG_HIV", valueSet: "HIV", from: .years(-2), to: .days(0)))
        let data = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(PolicySettings.self, from: data) == settings)
    }
}
