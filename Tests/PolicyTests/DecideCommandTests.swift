import Foundation
import History
import Policy
import TestSupport
import Testing

/// `lbp decide --out` and `lbp explain`, run as the built binary over a history built in a test.
@Suite("lbp decide and lbp explain")
struct DecideCommandTests {
    /// A history with a denied line (IMG), an allowed one (PRIOR) and lines whose order tests the sort.
    private func makeHistory() throws -> TestHistory {
        let history = try TestHistory.enrolled()
        try history.loadEligibility([EligibilityRow(member: "M2", start: "2023-01-01")])
        try history.loadClaims([
            imaging("B", member: "M2", start: "2024-05-02", hcpcs: Code.xray),
            visit("H1", on: "2024-03-01", dx: [Code.lbp]),
            imaging("IMG", start: "2024-03-10"),
            imaging("A10", line: 10, member: "M2", start: "2024-07-01", lineDate: "2024-07-03", hcpcs: Code.ct),
            imaging("A10", line: 2, member: "M2", start: "2024-07-01", lineDate: "2024-07-02", hcpcs: Code.mri),
            imaging("A2", member: "M2", start: "2024-07-05", dx: [Code.other]),
            imaging("PRIOR", start: "2024-03-30"),
        ])
        return history
    }

    private func readFile(_ path: String) throws -> Data {
        try #require(FileManager.default.contents(atPath: path))
    }

    @Test("decide --out twice over unchanged data writes byte-identical files, sorted by claim id then line number")
    func decideOutIsReproducible() throws {
        let history = try makeHistory()
        let out = history.directory.file("decisions.csv"), again = history.directory.file("decisions-again.csv")
        let first = try runLBP(["decide", "--database", history.databasePath, "--out", out], in: history.directory.path)
        #expect(first.exitCode == 0, "\(first.stderr)")
        let second = try runLBP(["decide", "--full", "--database", history.databasePath, "--out", again], in: history.directory.path)
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(second.stdout.contains("new 0, changed 0, refreshed 0, unchanged 6, withdrawn 0"))

        let bytes = try readFile(out)
        #expect(bytes == (try readFile(again)))

        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("claim_id,claim_line_number,member_id,service_date,hcpcs_code,outcome,reason,index_date") == true)
        #expect(lines.count == 7)
        // Claim ids sort as text, line numbers as numbers.
        let keys = lines.dropFirst().map { line in line.split(separator: ",", maxSplits: 2).prefix(2).joined(separator: "/") }
        #expect(keys == ["A10/2", "A10/10", "A2/1", "B/1", "IMG/1", "PRIOR/1"])
        let img = try #require(lines.first { $0.hasPrefix("IMG,") })
        #expect(img.hasPrefix("IMG,1,M1,2024-03-10,72148,DENY,LBP_IMAGING_WITHIN_28_DAYS,2024-03-01,"))
        let prior = try #require(lines.first { $0.hasPrefix("PRIOR,") })
        // IMG (Mar 10) is the earliest primary LBP claim in D−28 … D, and H1 (Mar 1) precedes it.
        #expect(prior.hasPrefix("PRIOR,1,M1,2024-03-30,72148,ALLOW,PRIOR_LBP_DIAGNOSIS,2024-03-10,"))
        let a2 = try #require(lines.first { $0.hasPrefix("A2,") })
        #expect(a2.hasPrefix("A2,1,M2,2024-07-05,72148,ALLOW,PRIMARY_DX_NOT_LBP,,"))
    }

    @Test("decide prints the run summary; --json parses")
    func decideSummary() throws {
        let history = try makeHistory()
        let result = try runLBP(["decide", "--database", history.databasePath, "--json"], in: history.directory.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["linesDecided"] as? Int == 6)
        #expect(object["newDecisions"] as? Int == 6)
        #expect(object["policyID"] as? String == "LBP-IMAGING-001")
        #expect(try history.scalar("SELECT count(*) FROM decision WHERE is_current = 1") == 6)
    }

    @Test("decide --policy with an invalid file fails with a data error and decides nothing")
    func invalidPolicyFile() throws {
        let history = try makeHistory()
        let policy = history.directory.write("policy.json", #"{"redFlags": [{"reason": "X", "valueSet": "CANCER", "to": null}]}"#)
        let result = try runLBP(["decide", "--database", history.databasePath, "--policy", policy], in: history.directory.path)
        #expect(result.exitCode == 65)
        #expect(result.stderr.contains("policy.json"))
        #expect(try history.scalar("SELECT count(*) FROM decision") == 0)
    }

    @Test("policy set stores a version decide then uses; show prints it; history lists it; a window past the bounds is refused")
    func policyCommands() throws {
        let history = try makeHistory()
        let db = ["--database", history.databasePath]
        let empty = try runLBP(["policy", "history"] + db, in: history.directory.path)
        #expect(empty.stdout.contains("no policy stored"))
        let plan = history.directory.write("plan.json", #"{"exemptPlans": ["PPO"]}"#)
        let set = try runLBP(["policy", "set", plan] + db, in: history.directory.path)
        #expect(set.exitCode == 0, "\(set.stderr)")
        let show = try runLBP(["policy", "show"] + db, in: history.directory.path)
        let shown = try JSONDecoder().decode(PolicySettings.self, from: Data(show.stdout.utf8))
        #expect(shown.exemptPlans == ["PPO"])
        let listed = try runLBP(["policy", "history"] + db, in: history.directory.path)
        #expect(listed.stdout.split(separator: "\n").count == 2)
        #expect(listed.stdout.contains("plan.json"))
        let decided = try runLBP(["decide", "--json"] + db, in: history.directory.path)
        #expect(decided.stdout.contains(Reason.planExempt))
        let far = history.directory.write("far.json", #"{"redFlags": [{"reason": "R", "valueSet": "TRAUMA", "from": "-1y", "to": "+20000y"}]}"#)
        let refused = try runLBP(["policy", "set", far] + db, in: history.directory.path)
        #expect(refused.exitCode == 65)
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(try runLBP(["policy", "history"] + db, in: history.directory.path).stdout.split(separator: "\n").count == 2)
    }

    @Test("explain tells the index date, the lookback window, the enrollment check and each red-flag window")
    func explainText() throws {
        let history = try makeHistory()
        #expect(try runLBP(["decide", "--database", history.databasePath], in: history.directory.path).exitCode == 0)
        let result = try runLBP(["explain", "IMG", "1", "--database", history.databasePath], in: history.directory.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let text = result.stdout
        let i = day("2024-03-01")
        let lookbackStart = i.adding(days: -180).iso   // 2023-09-03
        #expect(lookbackStart == "2023-09-03")
        #expect(text.contains("Claim IMG line 1: DENY LBP_IMAGING_WITHIN_28_DAYS (CO-50, N130)"))
        #expect(text.contains("Index date I = 2024-03-01"))
        #expect(text.contains("2024-02-11 through 2024-03-10"))
        #expect(text.contains("Window end I+28 = 2024-03-29"))
        #expect(text.contains("\(lookbackStart) through 2024-02-29"))
        #expect(text.contains("Continuous enrollment: yes"))
        #expect(text.contains("required \(lookbackStart) through 2024-03-10"))
        // Cancer has no window start: any earlier date, through I+28.
        let cancer = try #require(text.split(separator: "\n").first { $0.contains("Red flag RED_FLAG_CANCER") })
        #expect(cancer.contains("no CANCER diagnosis"))
        #expect(cancer.hasSuffix("through 2024-03-29."))
        for (reason, valueSet) in [("RED_FLAG_TRAUMA", "TRAUMA"), ("RED_FLAG_IV_DRUG_ABUSE", "IV_DRUG_ABUSE"),
                                   ("RED_FLAG_NEUROLOGIC", "NEUROLOGIC_IMPAIRMENT"), ("RED_FLAG_SPINAL_INFECTION", "SPINAL_INFECTION")] {
            #expect(text.contains("Red flag \(reason): no \(valueSet) diagnosis in 2023-03-01 through 2024-03-29"))
        }
        #expect(text.contains("claim H1"))
        #expect(text.contains("not reimbursed"))
    }

    @Test("explain --json parses and matches the stored decision")
    func explainJSON() throws {
        let history = try makeHistory()
        #expect(try runLBP(["decide", "--database", history.databasePath], in: history.directory.path).exitCode == 0)
        let result = try runLBP(["explain", "IMG", "1", "--json", "--database", history.databasePath], in: history.directory.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 1)
        #expect(array.first?["stored"] as? Bool == true)
        let decision = try #require(array.first?["decision"] as? [String: Any])
        let stored = try #require(try history.decision("IMG"))
        #expect(decision["outcome"] as? String == "DENY")
        #expect(decision["reason"] as? String == Reason.imagingWithin28Days)
        #expect(decision["indexDay"] as? String == "2024-03-01")
        #expect(decision["windowEndDay"] as? String == "2024-03-29")
        #expect(decision["decisionID"] as? Int64 == stored.decisionID)
        #expect(decision["policyVersion"] as? String == stored.policyVersion)
        #expect((decision["evidence"] as? [[String: Any]])?.count == stored.evidence.count)
    }

    @Test("explain of a line not decided yet shows what deciding now would give, and stores nothing")
    func explainUndecided() throws {
        let history = try makeHistory()
        let result = try runLBP(["explain", "IMG", "--json", "--database", history.databasePath], in: history.directory.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.first?["stored"] as? Bool == false)
        #expect((array.first?["decision"] as? [String: Any])?["outcome"] as? String == "DENY")
        #expect(try history.scalar("SELECT count(*) FROM decision") == 0)

        let text = try runLBP(["explain", "IMG", "1", "--database", history.databasePath], in: history.directory.path)
        #expect(text.stdout.contains("not decided yet"))
    }

    @Test("explain of a claim without imaging lines fails")
    func explainUnknownClaim() throws {
        let history = try makeHistory()
        let result = try runLBP(["explain", "H1", "--database", history.databasePath], in: history.directory.path)
        #expect(result.exitCode != 0)
        #expect(!result.stderr.isEmpty)
    }
}
