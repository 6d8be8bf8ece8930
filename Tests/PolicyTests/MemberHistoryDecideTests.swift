import DelimitedText
import Foundation
import History
import Ingest
import Policy
import Reports
import TestSupport
import Testing

/// Incremental decide, retro review by substance, scoped runs, what-if runs, stored policies and the
/// pre-payment check, on the shipped sample book (Samples/).
@Suite("Deciding from member histories: incremental runs, retro review, checks")
struct MemberHistoryDecideTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples").path
    static let months = ["medical_claim_2024_01.csv", "medical_claim_2024_02.csv", "medical_claim_2024_03.csv"]

    private func sample(_ name: String) throws -> String {
        try String(contentsOfFile: Self.samples + "/" + name, encoding: .utf8)
    }

    private func bookHistory() throws -> TestHistory {
        let history = try TestHistory()
        try history.load(try sample("eligibility.csv"), kind: .eligibility, name: "eligibility.csv")
        return history
    }

    private func csvExport(_ history: TestHistory) throws -> Data {
        let path = history.directory.file("export-\(UUID().uuidString).csv")
        _ = try DecisionExporter(db: history.db).export(format: .csv, filter: DecisionFilter(), to: try OutputFile(path: path))
        return try #require(FileManager.default.contents(atPath: path))
    }

    private func decide(_ history: TestHistory, full: Bool = false) throws -> DecideSummary {
        try DecideRun(db: history.db, policy: try PolicyStore(history.db).current(), clock: history.clock).run(full: full)
    }

    @Test("file by file, the incremental decide stores exactly what a full decide stores")
    func incrementalEqualsFull() throws {
        let incremental = try bookHistory(), full = try bookHistory()
        // The three months, then February re-sent with CRLF line ends, then a void and a replacement.
        var files = try Self.months.map { ($0, try sample($0)) }
        files.append(("feb-resent.csv", try sample(Self.months[1]).replacingOccurrences(of: "\n", with: "\r\n")))
        let march = try sample(Self.months[2])
        let header = String(march.prefix { $0 != "\n" })
        let firstRow = march.split(separator: "\n")[1]
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var voided = firstRow.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if let frequency = columns.firstIndex(of: "claim_frequency_code") { voided[frequency] = "8" }
        files.append(("void.csv", header + "\n" + voided.joined(separator: ",") + "\n"))

        var modes: [String] = []
        for (name, text) in files {
            try incremental.load(text, kind: .claims, name: name)
            try full.load(text, kind: .claims, name: name)
            let run = try decide(incremental)
            modes.append(run.mode)
            _ = try decide(full, full: true)
            #expect(try csvExport(incremental) == (try csvExport(full)), "after \(name)")
        }
        #expect(modes == ["full", "incremental", "incremental", "incremental", "incremental"])
        #expect(columns.contains("claim_frequency_code"))
    }

    @Test("a re-sent file with other bytes but the same content changes no decision; lineage follows it")
    func resentSameContent() throws {
        let history = try bookHistory()
        for month in Self.months { try history.load(try sample(month), kind: .claims, name: month) }
        let first = try decide(history)
        #expect(first.newDecisions == 24)
        try history.load(try sample(Self.months[2]).replacingOccurrences(of: "\n", with: "\r\n"), kind: .claims, name: "march-crlf.csv")
        let second = try decide(history)
        #expect(second.changedDecisions == 0)
        #expect(second.changes.isEmpty)
        #expect(second.refreshedDecisions > 0)
        let changesOut = history.directory.file("changes.csv")
        try ChangeReport.write(second, to: try OutputFile(path: changesOut))
        #expect(try String(contentsOfFile: changesOut, encoding: .utf8).split(separator: "\n").count == 1)
        let sources = try LoadLedger(history.db).all().filter { $0.fileName == "march-crlf.csv" }.map(\.loadID)
        var lineageFollows = false
        try DecisionStore(history.db).forEachCurrent(DecisionFilter()) { decision in
            if decision.line.loadID == sources.first { lineageFollows = true }
        }
        #expect(lineageFollows)
    }

    @Test("re-sending a month with one corrected row reports only the lines that row affects")
    func oneCorrectedRow() throws {
        let history = try TestHistory.enrolled()
        let month = [
            ClaimRow(claim: "A", member: "M1", start: "2024-03-10", hcpcs: "72148", dx: ["M5450"]),
            ClaimRow(claim: "B", member: "M2", start: "2024-03-10", hcpcs: "72148", dx: ["M5450"]),
        ]
        try history.loadEligibility([EligibilityRow(member: "M2", start: "2020-01-01")])
        try history.loadClaims(month, name: "march.csv")
        _ = try decide(history)
        var corrected = month
        corrected[1].dx = ["M5450", "S32000A"]
        try history.loadClaims(corrected, name: "march-corrected.csv")
        let run = try decide(history)
        #expect(run.changes.map { "\($0.claimID) \($0.kind) \($0.outcome ?? "")" } == ["B outcome ALLOW"])
        #expect(run.linesDecided == 2)
    }

    @Test("a scoped decide re-decides a line whose service date moved out of its dates, and withdraws only gone lines")
    func scopedRunKeepsMovedLines() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([ClaimRow(claim: "A", member: "M1", start: "2024-03-10", hcpcs: "72148", dx: ["M5450"]),
                                ClaimRow(claim: "G", member: "M1", start: "2024-03-12", hcpcs: "72148", dx: ["M5450"])])
        _ = try decide(history)
        try history.loadClaims([ClaimRow(claim: "A", member: "M1", start: "2024-05-10", hcpcs: "72148", dx: ["M5450"], frequency: "7"),
                                ClaimRow(claim: "G", member: "M1", start: "2024-03-12", hcpcs: "72148", dx: ["M5450"], frequency: "8")])
        let scope = DecisionFilter(serviceFrom: Day(iso: "2024-03-01"), serviceTo: Day(iso: "2024-03-31"))
        let run = try DecideRun(db: history.db, policy: try PolicyStore(history.db).current(), clock: history.clock).run(scope: scope)
        #expect(run.mode == "scoped")
        #expect(run.withdrawnDecisions == 1)
        #expect(run.changes.map { "\($0.claimID) \($0.kind)" } == ["A index_date", "G withdrawn"])
        let moved = try #require(try DecisionStore(history.db).current(claimID: "A", lineNumber: 1))
        #expect(moved.line.serviceDay == Day(iso: "2024-05-10"))
    }

    @Test("a what-if run shows its decisions and stores nothing")
    func whatIfStoresNothing() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([ClaimRow(claim: "A", member: "M1", start: "2024-03-10", hcpcs: "72148", dx: ["M5450"])])
        _ = try decide(history)
        var settings = PolicySettings()
        settings.exemptPlans = ["PPO"]
        let before = try csvExport(history)
        var seen: Decision?
        let summary = try DecideRun(db: history.db, policy: try ResolvedPolicy(settings: settings, db: history.db), clock: history.clock)
            .whatIf { _ in seen = try DecisionStore(history.db).current(claimID: "A", lineNumber: 1) }
        #expect(summary.changes.map(\.reason) == [Reason.planExempt])
        #expect(seen?.reason == Reason.planExempt)
        #expect(try csvExport(history) == before)
        #expect(try history.db.scalarInt("SELECT count(*) FROM decide_run") == 1)
    }

    @Test("lbp policy set stores a version that decide then uses; the history lists it")
    func storedPolicy() throws {
        let history = try TestHistory.enrolled()
        #expect(try PolicyStore(history.db).latest() == nil)
        let builtIn = try PolicyStore(history.db).current()
        var settings = PolicySettings()
        settings.imagingWindowDays = 14
        let stored = try PolicyStore(history.db).set(settings, source: "plan.json", at: "2026-01-01T00:00:00Z")
        #expect(stored.version != builtIn.version)
        #expect(try PolicyStore(history.db).current().version == stored.version)
        #expect(try PolicyStore(history.db).current().settings.imagingWindowDays == 14)
        #expect(try PolicyStore(history.db).history().map(\.source) == ["plan.json"])
        settings.redFlags.append(RedFlagSettings(reason: "RED_FLAG_X", valueSet: "NO_SUCH_SET", from: .years(-1), to: .days(28)))
        #expect(throws: ResolvedPolicy.MissingValueSet.self) {
            try PolicyStore(history.db).set(settings, source: "bad.json", at: "2026-01-02T00:00:00Z")
        }
    }

    @Test("checking a claim identical to a stored one gives its stored decision, for every imaging line of the sample book",
          arguments: ["csv", "837"])
    func checkEqualsStored(format: String) throws {
        let history = try bookHistory()
        var rowsByFile: [String: [ExtractRow]] = [:]
        for month in Self.months {
            try history.load(try sample(month), kind: .claims, name: month)
            let path = format == "csv" ? Self.samples + "/" + month
                : Self.samples + "/x12/" + month.replacingOccurrences(of: ".csv", with: ".837")
            rowsByFile[month] = try ExtractRows.read(path: path)
        }
        _ = try decide(history)
        let ledger = Dictionary(uniqueKeysWithValues: try LoadLedger(history.db).all().map { ($0.fileName, $0.loadID) })
        let checker = ClaimChecker(db: history.db, policy: try PolicyStore(history.db).current())
        var compared = 0
        for month in Self.months {
            for claim in try CandidateClaims.parseEach(rows: rowsByFile[month]!).compactMap({ try? $0.get() }) {
                for line in try checker.check(claim).lines {
                    guard let decision = line.decision,
                          let stored = try DecisionStore(history.db).current(claimID: claim.claimID, lineNumber: line.lineNumber),
                          stored.line.loadID == ledger[month] else { continue }
                    #expect(decision.substance == stored.substance, "\(claim.claimID)/\(line.lineNumber)")
                    #expect(decision.windowEndDay == stored.windowEndDay)
                    #expect(decision.evidence.map(\.finding) == stored.evidence.map(\.finding))
                    #expect(decision.evidence.map(\.claimID) == stored.evidence.map(\.claimID))
                    compared += 1
                }
            }
        }
        #expect(compared == 24)
    }

    @Test("a what-if check: a trauma diagnosis added to a denied claim allows it; the stored decision stays")
    func whatIfCheck() throws {
        let history = try TestHistory.enrolled()
        try history.loadClaims([ClaimRow(claim: "A", member: "M1", start: "2024-03-10", hcpcs: "72148", dx: ["M5450"])])
        _ = try decide(history)
        let checker = ClaimChecker(db: history.db, policy: try PolicyStore(history.db).current())
        let claim = CandidateClaim(claimID: "A", claimType: "professional", memberID: "M1", startDay: Day(iso: "2024-03-10")!,
                                   diagnoses: ["M5450", "S32000A"], lines: [CandidateLine(lineNumber: 1, hcpcsCode: "72148")])
        let check = try history.db.readSnapshot { try checker.check(claim) }
        #expect(check.lines.first?.decision?.reason == "RED_FLAG_TRAUMA")
        #expect(try DecisionStore(history.db).current(claimID: "A", lineNumber: 1)?.outcome == .deny)
        var void = claim
        void.frequencyCode = "8"
        let voided = try checker.check(void)
        #expect(voided.isVoid)
        #expect(voided.lines.map(\.isImaging) == [true])
        #expect(voided.lines.allSatisfy { $0.decision == nil })
    }

    @Test("a file read for checking keeps the loader's rules: ragged rows, invalid UTF-8, a column named twice")
    func checkFileRules() throws {
        let ragged = try ExtractRows.read(bytes: Array("claim_id,claim_line_number\nC1\n".utf8), path: "f")
        #expect(ragged.first?.defect?.kind == .malformedRow)
        #expect(ragged.first?.line == 2)
        let invalid = try ExtractRows.read(bytes: Array("claim_id,member_id\nC1,".utf8) + [0xFF, 0x0A], path: "f")
        #expect(invalid.first?.defect?.field == "member_id")
        #expect(invalid.first?.defect?.kind == .badValue)
        #expect(throws: IngestError.self) { try ExtractRows.read(bytes: Array("claim_id,b,CLAIM_ID\n1,2,3\n".utf8), path: "f") }
    }

    @Test("a candidate row the loader would reject is a problem naming the column and the line")
    func candidateProblems() throws {
        let base = ["claim_id": "C1", "claim_line_number": "1", "claim_type": "professional", "member_id": "M1",
                    "claim_start_date": "2024-03-10", "diagnosis_code_1": "M54.50", "hcpcs_code": "72148"]
        func problem(_ changes: [String: String], line: Int = 1) -> CandidateProblem? {
            var fields = base
            for (key, value) in changes { fields[key] = value }
            do { _ = try CandidateClaims.parse(rows: [ExtractRow(line: line, fields: fields)]); return nil } catch let p as CandidateProblem { return p } catch { return nil }
        }
        #expect(problem(["claim_start_date": "2024-02-30"])?.field == "claim_start_date")
        #expect(problem(["claim_line_number": "1.5"])?.kind == .badInteger)
        #expect(problem(["claim_type": "dental"])?.field == "claim_type")
        #expect(problem(["diagnosis_code_1": " "])?.kind == .emptyRequired)
        #expect(problem(["member_id": ""], line: 7)?.line == 7)
        let claims = try CandidateClaims.parse(rows: [ExtractRow(line: 1, fields: base)])
        #expect(claims.first?.diagnoses == ["M5450"])
        var second = base
        second["claim_type"] = "institutional"
        second["claim_line_number"] = "2"
        #expect(throws: CandidateProblem.self) {
            try CandidateClaims.parse(rows: [ExtractRow(line: 1, fields: base), ExtractRow(line: 2, fields: second)])
        }
    }
}
