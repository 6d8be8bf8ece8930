import DelimitedText
import Foundation
import History
import Policy
import Reports
import TestSupport
import Testing

/// The retro-review list of a decide run, as CSV.
@Suite("Change reports")
struct ChangeReportTests {
    static let header = ["claim_id", "claim_line_number", "change", "previous_outcome", "previous_reason", "outcome", "reason", "run_id"]

    @Test("the changes of a run: a late red flag reverses a denial")
    func changesOfARun() throws {
        let scenario = try DecidedHistory()
        let path = scenario.history.directory.file("changes.csv")
        try ChangeReport.write(scenario.secondRun, to: try OutputFile(path: path))
        let (header, rows) = try readCSV(path)
        #expect(header == Self.header)
        #expect(ChangeReport.header == Self.header)
        #expect(rows == [["C01", "1", "outcome", "DENY", "LBP_IMAGING_WITHIN_28_DAYS", "ALLOW", "RED_FLAG_TRAUMA", "2"]])
        #expect(try permissions(path) == 0o600)
    }

    @Test("withdrawn lines have no new outcome; rows are by claim id then line number")
    func withdrawnAndOrder() throws {
        let scenario = try DecidedHistory()
        try scenario.history.loadClaims([
            ClaimRow(claim: "C06", line: 1, type: "institutional", member: "M4", start: "2024-09-02", lineStart: "2024-09-02",
                     hcpcs: Code.mri, dx: [Code.lbp], frequency: "8"),
            ClaimRow(claim: "C05", member: "M3", start: "2024-04-01", hcpcs: Code.mri, dx: [Code.other], frequency: "7"),
        ], name: "may.csv")
        let run = try DecideRun(db: scenario.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: scenario.db),
                                clock: .fixed(1_800_000_000)).run()
        let path = scenario.history.directory.file("changes.csv")
        try ChangeReport.write(run, to: try OutputFile(path: path))
        let rows = try readCSV(path).rows
        let runID = String(run.runID)
        #expect(rows.contains(["C05", "1", "reason", "ALLOW", "NO_COVERAGE", "ALLOW", "PRIMARY_DX_NOT_LBP", runID]))
        #expect(rows.contains(["C06", "1", "withdrawn", "DENY", "LBP_IMAGING_WITHIN_28_DAYS", "", "", runID]))
        #expect(rows.contains(["C06", "2", "withdrawn", "DENY", "LBP_IMAGING_WITHIN_28_DAYS", "", "", runID]))
        #expect(rows.map { "\($0[0])/\($0[1])" } == run.changes.map { "\($0.claimID)/\($0.lineNumber)" })
        let order = rows.map { ($0[0], Int($0[1]) ?? 0) }
        #expect(zip(order, order.dropFirst()).allSatisfy { $0 < $1 })
        #expect(rows.count == run.changes.count)
    }

    @Test("a run without changes: the header only")
    func noChanges() throws {
        let scenario = try DecidedHistory()
        let run = try DecideRun(db: scenario.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: scenario.db),
                                clock: .fixed(1_800_000_000)).run()
        #expect(run.changes.isEmpty)
        let path = scenario.history.directory.file("changes.csv")
        try ChangeReport.write(run, to: try OutputFile(path: path))
        #expect(String(decoding: contents(path), as: UTF8.self) == Self.header.joined(separator: ",") + "\n")
    }

    @Test("lbp decide --changes-out writes the same report")
    func decideChangesOut() throws {
        let scenario = try DecidedHistory()
        try scenario.history.loadClaims([
            ClaimRow(claim: "T3", member: "M4", start: "2024-09-10", hcpcs: Code.officeVisit, dx: [Code.trauma]),
        ], name: "june.csv")
        let path = scenario.history.directory.file("changes-cli.csv")
        let result = try runLBP(["decide", "--database", scenario.history.databasePath, "--changes-out", path],
                                in: scenario.history.directory.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = try readCSV(path).rows
        #expect(rows == [
            ["C06", "1", "outcome", "DENY", "LBP_IMAGING_WITHIN_28_DAYS", "ALLOW", "RED_FLAG_TRAUMA", "3"],
            ["C06", "2", "outcome", "DENY", "LBP_IMAGING_WITHIN_28_DAYS", "ALLOW", "RED_FLAG_TRAUMA", "3"],
        ])
        #expect(result.stdout.contains("claim C06 line 1: DENY LBP_IMAGING_WITHIN_28_DAYS -> ALLOW RED_FLAG_TRAUMA"))
    }
}
