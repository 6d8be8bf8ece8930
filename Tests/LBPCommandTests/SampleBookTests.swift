import Foundation
import Testing
import TestSupport

/// The repository's `Samples/` folder, found from this file's path.
private let samples = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Samples")

/// Parses RFC 4180 CSV text (quoted fields with commas, quotes and line breaks) into rows.
private func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = ""
    var quoted = false, afterQuote = false
    for character in text {
        if quoted {
            if character == "\"" { quoted = false; afterQuote = true } else { field.append(character) }
            continue
        }
        switch character {
        case "\"":
            if afterQuote { field.append("\"") }   // "" inside a quoted field
            quoted = true
            afterQuote = false
        case ",":
            row.append(field); field = ""; afterQuote = false
        case "\n", "\r\n":
            row.append(field); rows.append(row); row = []; field = ""; afterQuote = false
        default:
            field.append(character); afterQuote = false
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// The columns `expected_decisions.csv` holds, picked by name from a CSV's rows.
private func decisions(_ rows: [[String]], sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String]] {
    let header = try #require(rows.first, sourceLocation: sourceLocation)
    let columns = ["claim_id", "claim_line_number", "member_id", "outcome", "reason"]
    let indexes = try columns.map { name in try #require(header.firstIndex(of: name), "no \(name) column", sourceLocation: sourceLocation) }
    return rows.dropFirst().map { row in
        #expect(row.count == header.count, "a ragged row: \(row.prefix(2))", sourceLocation: sourceLocation)
        return indexes.map { $0 < row.count ? row[$0] : "" }
    }
}

/// `Samples/expected_decisions.csv` is what the engine decides for the shipped sample book: the
/// README's first command (`Scripts/run-sample`) cannot drift from it unnoticed.
@Suite("Sample book")
struct SampleBookTests {
    @Test func exportAfterLoadingTheSampleMatchesExpectedDecisions() throws {
        let directory = TemporaryDirectory()
        let database = directory.file("sample.sqlite")
        func lbp(_ arguments: [String]) throws -> RunResult {
            let result = try runLBP(arguments + ["--database", database], in: directory.path)
            #expect(result.exitCode == 0, "lbp \(arguments.prefix(2).joined(separator: " ")): \(result.stderr)")
            return result
        }
        let claims = ["medical_claim_2024_01.csv", "medical_claim_2024_02.csv", "medical_claim_2024_03.csv"]
            .map { samples.appendingPathComponent($0).path }
        _ = try lbp(["load", "eligibility", samples.appendingPathComponent("eligibility.csv").path, "--rejects-dir", directory.path])
        let load = try lbp(["load", "claims"] + claims + ["--rejects-dir", directory.path])
        #expect(load.stdout.components(separatedBy: "read ").count - 1 == 3, "one report per claims file: \(load.stdout)")
        _ = try lbp(["decide"])
        let export = try lbp(["export", "--format", "csv"])

        let expectedText = try String(contentsOf: samples.appendingPathComponent("expected_decisions.csv"), encoding: .utf8)
        let expected = try decisions(parseCSV(expectedText))
        let actual = try decisions(parseCSV(export.stdout))
        #expect(expected.count == 24, "expected_decisions.csv lists every imaging line of the sample")
        #expect(Set(expected.map { $0[3] + " " + $0[4] }).count == 10, "the sample covers every reason code but PLAN_EXEMPT")
        // Row by row, so a difference names its line.
        for row in expected where !actual.contains(row) {
            let decided = actual.first { $0[0] == row[0] && $0[1] == row[1] }
            Issue.record("claim \(row[0]) line \(row[1]): expected \(row[3]) \(row[4]), decided \(decided.map { "\($0[3]) \($0[4])" } ?? "nothing")")
        }
        for row in actual where !expected.contains(row) {
            Issue.record("claim \(row[0]) line \(row[1]) decided \(row[3]) \(row[4]) but is not in expected_decisions.csv")
        }
        #expect(actual == expected, "the export lists the same lines in the same (claim, line) order")

        // The sample's claims to check before payment: what Samples/README.md says, and nothing stored.
        let check = try lbp(["check", samples.appendingPathComponent("incoming_claims.csv").path])
        #expect(check.stdout.split(separator: "\n").map(String.init) == [
            "claim C00301 line 1: not an imaging line",
            "claim C00301 line 2: ALLOW RED_FLAG_TRAUMA",
            "claim C09901 line 1: DENY LBP_IMAGING_WITHIN_28_DAYS (CO-50 N130)",
        ])
        #expect(try lbp(["export", "--format", "csv"]).stdout == export.stdout)
    }
}
