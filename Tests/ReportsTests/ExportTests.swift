import DelimitedText
import Foundation
import History
import Policy
import Reports
import SQLiteDB
import TestSupport
import Testing

/// CSV and JSON Lines exports: every row read back equals the stored decision, re-exports are
/// byte-identical, every filter selects exactly its rows, and lineage names the loaded files.
@Suite("Decision exports (CSV, JSON Lines)")
struct ExportTests {
    static let csvHeader = [
        "claim_id", "claim_line_number", "member_id", "service_date", "hcpcs_code", "outcome", "reason", "index_date",
        "window_end", "claim_type", "red_flags", "group_code", "carc", "rarc", "policy_id", "policy_version", "decided_at",
        "decision_id", "line_source_file", "line_source_sha256", "evidence",
    ]

    /// Compares one exported evidence item (parsed JSON) with the stored evidence.
    private func expectSame(_ item: [String: Any], _ evidence: Evidence, lineage: [Int64: LedgerEntry]) {
        #expect(item["rule"] as? String == evidence.rule)
        #expect(item["finding"] as? String == evidence.finding)
        #expect(item["window_start"] as? String == evidence.windowStart?.iso)
        #expect(item["window_end"] as? String == evidence.windowEnd?.iso)
        #expect(item["claim_id"] as? String == evidence.claimID)
        #expect(item["position"] as? Int == evidence.position)
        #expect(item["code"] as? String == evidence.code)
        #expect(item["date"] as? String == evidence.day?.iso)
        #expect(item["value_set"] as? String == evidence.valueSet)
        #expect(item["detail"] as? String == evidence.detail)
        let source = item["source"] as? [String: Any]
        let entry = evidence.loadID.flatMap { lineage[$0] }
        #expect(source?["file"] as? String == entry?.fileName)
        #expect(source?["sha256"] as? String == entry?.sha256)
    }

    private func ledger(_ db: Connection) throws -> [Int64: LedgerEntry] {
        Dictionary(uniqueKeysWithValues: try LoadLedger(db).all().map { ($0.loadID, $0) })
    }

    @Test("the CSV export read back equals the decisions in the database, field by field")
    func csvEqualsDatabase() throws {
        let scenario = try DecidedHistory()
        let (path, manifest) = try scenario.export(.csv)
        let (header, rows) = try readCSV(path)
        #expect(header == Self.csvHeader)
        let decisions = try scenario.decisions()
        #expect(keys(decisions) == DecidedHistory.allLines)
        #expect(rows.count == decisions.count)
        #expect(manifest.rows == decisions.count)
        let lineage = try ledger(scenario.db)

        for (row, decision) in zip(rows, decisions) {
            #expect(row.count == Self.csvHeader.count)
            let source = lineage[decision.line.loadID!]
            let expected = [
                decision.line.claimID, String(decision.line.lineNumber), decision.line.memberID, decision.line.serviceDay.iso,
                decision.line.hcpcsCode, decision.outcome.rawValue, decision.reason, decision.indexDay?.iso ?? "",
                decision.windowEndDay?.iso ?? "", decision.line.claimType, decision.redFlags.joined(separator: ";"),
                decision.denial?.groupCode ?? "", decision.denial?.carc ?? "", decision.denial?.rarc ?? "", decision.policyID,
                decision.policyVersion, decision.decidedAt ?? "", String(decision.decisionID ?? 0), source?.fileName ?? "",
                source?.sha256 ?? "",
            ]
            #expect(Array(row.prefix(20)) == expected)
            let evidence = try #require(try JSONSerialization.jsonObject(with: Data(row[20].utf8)) as? [[String: Any]])
            #expect(evidence.count == decision.evidence.count)
            for (item, stored) in zip(evidence, decision.evidence) { expectSame(item, stored, lineage: lineage) }
        }
    }

    @Test("the CSV holds the values the scenario decided")
    func csvValues() throws {
        let scenario = try DecidedHistory()
        let rows = try readCSV(try scenario.export(.csv).path).rows
        let byKey = Dictionary(uniqueKeysWithValues: rows.map { ("\($0[0])/\($0[1])", $0) })
        let c01 = try #require(byKey["C01/1"])
        #expect(Array(c01.prefix(11)) == ["C01", "1", "M1", "2024-03-10", "72148", "ALLOW", "RED_FLAG_TRAUMA", "2024-03-01",
                                          "2024-03-29", "professional", "RED_FLAG_TRAUMA"])
        #expect(c01[16] == "2026-02-01T12:00:00Z")
        let c06 = try #require(byKey["C06/2"])
        #expect(Array(c06.prefix(15)) == ["C06", "2", "M4", "2024-09-03", "72131", "DENY", "LBP_IMAGING_WITHIN_28_DAYS",
                                          "2024-09-02", "2024-09-30", "institutional", "", "CO", "50", "N130", "LBP-IMAGING-001"])
        #expect(c06[16] == "2026-01-01T00:00:00Z")
        let c04 = try #require(byKey["C04/1"])
        #expect(c04[6] == "PRIMARY_DX_NOT_LBP")
        #expect(c04[7] == "")
        #expect(c04[8] == "")
    }

    @Test("the JSON Lines export read back equals the decisions in the database")
    func jsonlEqualsDatabase() throws {
        let scenario = try DecidedHistory()
        let (path, manifest) = try scenario.export(.jsonl)
        let text = String(decoding: contents(path), as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let decisions = try scenario.decisions()
        #expect(lines.count == decisions.count)
        #expect(manifest.rows == decisions.count)
        let lineage = try ledger(scenario.db)

        for (line, decision) in zip(lines, decisions) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["claim_id"] as? String == decision.line.claimID)
            #expect(object["claim_line_number"] as? Int == decision.line.lineNumber)
            #expect(object["member_id"] as? String == decision.line.memberID)
            #expect(object["service_date"] as? String == decision.line.serviceDay.iso)
            #expect(object["hcpcs_code"] as? String == decision.line.hcpcsCode)
            #expect(object["outcome"] as? String == decision.outcome.rawValue)
            #expect(object["reason"] as? String == decision.reason)
            #expect(object["index_date"] as? String == decision.indexDay?.iso)
            #expect(object["window_end"] as? String == decision.windowEndDay?.iso)
            #expect(object["claim_type"] as? String == decision.line.claimType)
            #expect(object["red_flags"] as? [String] == decision.redFlags)
            #expect(object["group_code"] as? String == decision.denial?.groupCode)
            #expect(object["carc"] as? String == decision.denial?.carc)
            #expect(object["rarc"] as? String == decision.denial?.rarc)
            #expect(object["policy_id"] as? String == decision.policyID)
            #expect(object["policy_version"] as? String == decision.policyVersion)
            #expect(object["decided_at"] as? String == decision.decidedAt)
            #expect((object["decision_id"] as? NSNumber)?.int64Value == decision.decisionID)
            let source = object["line_source"] as? [String: Any]
            #expect(source?["file"] as? String == lineage[decision.line.loadID!]?.fileName)
            #expect(source?["sha256"] as? String == lineage[decision.line.loadID!]?.sha256)
            let evidence = try #require(object["evidence"] as? [[String: Any]])
            #expect(evidence.count == decision.evidence.count)
            for (item, stored) in zip(evidence, decision.evidence) { expectSame(item, stored, lineage: lineage) }
        }
    }

    @Test("the same data and filter give the same bytes", arguments: [ExportFormat.csv, .jsonl, .x835])
    func byteIdenticalReExport(format: ExportFormat) throws {
        let scenario = try DecidedHistory()
        let first = try scenario.export(format)
        let second = try scenario.export(format)
        #expect(contents(first.path) == contents(second.path))
        #expect(first.manifest.sha256 == second.manifest.sha256)

        // Deciding again over unchanged data changes no byte either.
        let rerun = try DecideRun(db: scenario.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: scenario.db),
                                  clock: .fixed(1_800_000_000)).run(full: true)
        #expect(rerun.unchangedDecisions == DecidedHistory.allLines.count)
        let third = try scenario.export(format)
        #expect(contents(first.path) == contents(third.path))
    }

    /// Each filter and the lines it must select in `DecidedHistory`.
    static let filterCases: [FilterCase] = [
        FilterCase("all", DecisionFilter(), DecidedHistory.allLines),
        FilterCase("outcome DENY", DecisionFilter(outcome: .deny), ["C06/1", "C06/2"]),
        FilterCase("outcome ALLOW", DecisionFilter(outcome: .allow), ["C01/1", "C02/1", "C03/1", "C04/1", "C05/1", "C07/1"]),
        FilterCase("reason", DecisionFilter(reason: "RED_FLAG_TRAUMA"), ["C01/1", "C03/1"]),
        FilterCase("reason NO_COVERAGE", DecisionFilter(reason: "NO_COVERAGE"), ["C05/1"]),
        FilterCase("member", DecisionFilter(memberID: "M4"), ["C06/1", "C06/2", "C07/1"]),
        FilterCase("claim", DecisionFilter(claimID: "C06"), ["C06/1", "C06/2"]),
        FilterCase("service from/to, inclusive", DecisionFilter(serviceFrom: Day(iso: "2024-05-05"), serviceTo: Day(iso: "2024-09-02")),
         ["C03/1", "C04/1", "C06/1"]),
        FilterCase("service from", DecisionFilter(serviceFrom: Day(iso: "2024-09-03")), ["C06/2", "C07/1"]),
        FilterCase("service to", DecisionFilter(serviceTo: Day(iso: "2024-03-30")), ["C01/1", "C02/1"]),
        FilterCase("decided from a date", DecisionFilter(decidedFrom: "2026-02-01"), ["C01/1", "C07/1"]),
        FilterCase("decided to a bare date covers the day", DecisionFilter(decidedTo: "2026-01-01"),
         ["C02/1", "C03/1", "C04/1", "C05/1", "C06/1", "C06/2"]),
        FilterCase("decided to a time, inclusive", DecisionFilter(decidedTo: "2026-02-01T12:00:00Z"), DecidedHistory.allLines),
        FilterCase("decided to a second before", DecisionFilter(decidedTo: "2026-02-01T11:59:59Z"),
         ["C02/1", "C03/1", "C04/1", "C05/1", "C06/1", "C06/2"]),
        FilterCase("decided from and to", DecisionFilter(decidedFrom: "2026-01-01T00:00:01Z", decidedTo: "2026-02-01"), ["C01/1", "C07/1"]),
        FilterCase("changed since run 1", DecisionFilter(changedSinceRun: 1), ["C01/1", "C07/1"]),
        FilterCase("changed since run 2", DecisionFilter(changedSinceRun: 2), []),
        FilterCase("changed since run 0", DecisionFilter(changedSinceRun: 0), DecidedHistory.allLines),
        FilterCase("combined", DecisionFilter(memberID: "M1", outcome: .allow, reason: "PRIOR_LBP_DIAGNOSIS"), ["C02/1"]),
        FilterCase("nothing", DecisionFilter(memberID: "M9"), []),
    ]

    @Test("each filter selects exactly its rows (one scenario, every filter)")
    func filters() throws {
        let scenario = try DecidedHistory()
        #expect(scenario.firstRun.runID == 1)
        #expect(scenario.secondRun.runID == 2)
        for test in Self.filterCases {
            let (name, filter, expected) = (test.name, test.filter, test.expected)
            let csv = try scenario.export(.csv, filter)
            #expect(try readCSV(csv.path).rows.map { "\($0[0])/\($0[1])" } == expected, "\(name)")
            #expect(csv.manifest.rows == expected.count, "\(name)")
            #expect(csv.manifest.filters == filter.description, "\(name)")

            let jsonl = try scenario.export(.jsonl, filter)
            let lines = String(decoding: contents(jsonl.path), as: UTF8.self).split(separator: "\n")
            let jsonKeys = try lines.map { line -> String in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return "\(object["claim_id"] as? String ?? "?")/\(object["claim_line_number"] as? Int ?? 0)"
            }
            #expect(jsonKeys == expected, "\(name)")
        }
    }

    @Test("changed-since lists a line decided again after it was withdrawn (voided, then re-sent)")
    func changedSinceAfterWithdrawal() throws {
        let history = try TestHistory()
        try history.loadEligibility([EligibilityRow(member: "M1", start: "2023-01-01")])
        let line = ClaimRow(claim: "A", member: "M1", start: "2024-03-10", hcpcs: Code.mri, dx: [Code.lbp])
        let other = ClaimRow(claim: "B", member: "M1", start: "2024-09-10", hcpcs: Code.xray, dx: [Code.other])
        try history.loadClaims([line, other])
        func decide(_ seconds: Int64) throws -> DecideSummary {
            try DecideRun(db: history.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: history.db),
                          clock: .fixed(seconds)).run()
        }
        let run1 = try decide(1_767_225_600)
        var void = line
        void.frequency = "8"
        try history.loadClaims([void])
        let run2 = try decide(1_769_947_200)
        #expect(run2.withdrawnDecisions == 1)
        var resent = line
        resent.frequency = "1"
        try history.loadClaims([resent])
        let run3 = try decide(1_772_366_400)
        #expect(run3.linesDecided == 2)
        #expect(try DecisionStore(history.db).current(claimID: "A", lineNumber: 1)?.outcome == .deny)

        let exporter = DecisionExporter(db: history.db)
        func changed(since run: Int64) throws -> [String] {
            let path = history.directory.file("changed-\(run).csv")
            _ = try exporter.export(format: .csv, filter: DecisionFilter(changedSinceRun: run), to: try OutputFile(path: path))
            return try readCSV(path).rows.map { "\($0[0])/\($0[1])" }
        }
        #expect(try changed(since: run1.runID) == ["A/1"])
        // A's current decision was made in run 3, after run 2: it is on the retro-review list.
        #expect(try changed(since: run2.runID) == ["A/1"])
        #expect(try changed(since: run3.runID) == [])
    }

    @Test("lineage: the line and evidence sources are the load-ledger entries of the files they came from")
    func lineage() throws {
        let scenario = try DecidedHistory()
        let entries = try LoadLedger(scenario.db).all()
        #expect(entries.map(\.fileName) == ["eligibility.csv", "march.csv", "april.csv"])
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.fileName, $0) })
        // The ledger's digest is the file's.
        for entry in entries {
            #expect(entry.sha256 == (try sha256sum(scenario.history.directory.file(entry.fileName))))
        }

        let rows = try readCSV(try scenario.export(.csv).path).rows
        let byKey = Dictionary(uniqueKeysWithValues: rows.map { ("\($0[0])/\($0[1])", $0) })
        for (key, file) in [("C01/1", "march.csv"), ("C06/2", "march.csv"), ("C07/1", "april.csv")] {
            let row = try #require(byKey[key])
            #expect(row[18] == file)
            #expect(row[19] == byName[file]?.sha256)
        }

        // C01's evidence: coverage from the eligibility file, the index date from march, the trauma from april.
        let c01 = try #require(byKey["C01/1"])
        let evidence = try #require(try JSONSerialization.jsonObject(with: Data(c01[20].utf8)) as? [[String: Any]])
        func source(_ rule: String) -> String? {
            (evidence.first { $0["rule"] as? String == rule }?["source"] as? [String: Any])?["file"] as? String
        }
        func sourceSHA(_ rule: String) -> String? {
            (evidence.first { $0["rule"] as? String == rule }?["source"] as? [String: Any])?["sha256"] as? String
        }
        #expect(source("PRIMARY_DX") == "march.csv")
        #expect(source("COVERAGE") == "eligibility.csv")
        #expect(sourceSHA("COVERAGE") == byName["eligibility.csv"]?.sha256)
        #expect(source("INDEX_DATE") == "march.csv")
        #expect(source("RED_FLAG_TRAUMA") == "april.csv")
        #expect(sourceSHA("RED_FLAG_TRAUMA") == byName["april.csv"]?.sha256)
        #expect(source("ENROLLMENT") == nil)
        let trauma = try #require(evidence.first { $0["rule"] as? String == "RED_FLAG_TRAUMA" })
        #expect(trauma["claim_id"] as? String == "T1")
        #expect(trauma["date"] as? String == "2024-03-15")
        #expect(trauma["code"] as? String == Code.trauma)
    }

    @Test("a replaced claim's decision names the file of the new version, without counting as a change")
    func lineageAfterReplacement() throws {
        let scenario = try DecidedHistory()
        try scenario.history.loadClaims([
            ClaimRow(claim: "C04", member: "M2", start: "2024-06-20", hcpcs: Code.mri, dx: [Code.other], frequency: "7"),
        ], name: "may.csv")
        let run = try DecideRun(db: scenario.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: scenario.db),
                                clock: .fixed(1_800_000_000)).run()
        #expect(run.mode == "incremental")
        #expect(run.changes.isEmpty)
        #expect(run.refreshedDecisions == 1)
        let rows = try readCSV(try scenario.export(.csv, DecisionFilter(claimID: "C04")).path).rows
        let may = try #require(try LoadLedger(scenario.db).all().first { $0.fileName == "may.csv" })
        #expect(rows.first?[18] == "may.csv")
        #expect(rows.first?[19] == may.sha256)
    }

    @Test("the exporter writes through the DelimitedText CSV rules: fields with commas or quotes are quoted")
    func csvQuoting() throws {
        let scenario = try DecidedHistory()
        let text = String(decoding: contents(try scenario.export(.csv, DecisionFilter(claimID: "C01")).path), as: UTF8.self)
        let line = try #require(text.split(separator: "\n").dropFirst().first)
        // The evidence JSON holds commas and quotes: the cell is quoted with doubled quotes.
        #expect(line.hasSuffix("}]\""))
        #expect(line.contains(",\"[{\"\""))
    }
}

/// One filter and the lines it must select in `DecidedHistory`.
struct FilterCase: Sendable {
    let name: String
    let filter: DecisionFilter
    let expected: [String]

    init(_ name: String, _ filter: DecisionFilter, _ expected: [String]) {
        self.name = name
        self.filter = filter
        self.expected = expected
    }
}
