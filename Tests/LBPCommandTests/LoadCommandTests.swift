import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

private let claimsHeader = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,diagnosis_code_1\n"

private func fileMode(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o777
}

/// The lines of a text, without the empty one after a final newline.
private func lines(_ text: String) -> [Substring] {
    var result = text.split(separator: "\n", omittingEmptySubsequences: false)
    if result.last == "" { result.removeLast() }
    return result
}

@Suite("lbp load")
struct LoadCommandTests {
    /// Three rows, one rejected (bad date).
    private func writeClaims(_ directory: TemporaryDirectory, name: String = "claims.csv") -> String {
        directory.write(name, claimsHeader
            + "C1,1,professional,M1,2024-03-01,72148,M54.50\n"
            + "C1,2,professional,M1,2024-03-01,99213,M54.50\n"
            + "C2,1,professional,M2,2024-02-30,72148,M54.50\n")
    }

    @Test func loadPrintsTheCounts() throws {
        let directory = TemporaryDirectory()
        let file = writeClaims(directory)
        let result = try runLBP(["load", "claims", file, "--database", directory.file("h.sqlite"), "--rejects-dir", directory.path],
                                in: directory.path)
        #expect(result.exitCode == 0)
        #expect(result.stderr == "")
        #expect(result.stdout.contains("\(file): read 3, loaded 2, rejected 1"))
        #expect(result.stdout.contains("bad_date 1"))
        #expect(FileManager.default.fileExists(atPath: directory.file("claims.csv.rejects.csv")))

        // The same file again: nothing changes, and the counts are repeated.
        let again = try runLBP(["load", "claims", file, "--database", directory.file("h.sqlite"), "--rejects-dir", directory.path],
                               in: directory.path)
        #expect(again.exitCode == 0)
        #expect(again.stdout.contains("already loaded"))
        #expect(again.stdout.contains("read 3, loaded 2, rejected 1"))
    }

    @Test func jsonReportsAreParseable() throws {
        let directory = TemporaryDirectory()
        let claims = writeClaims(directory)
        let second = directory.write("more.csv", claimsHeader + "C9,1,institutional,M9,20240401,72131,C50911\n")
        let result = try runLBP(["load", "claims", claims, second, "--json", "--database", directory.file("h.sqlite"),
                                 "--rejects-dir", directory.path], in: directory.path)
        #expect(result.exitCode == 0)
        #expect(result.stderr == "")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let reports = try #require(json as? [[String: Any]])
        #expect(reports.count == 2)
        #expect(reports.map { $0["file"] as? String } == [claims, second])
        #expect(reports.map { $0["status"] as? String } == ["loaded", "loaded"])
        #expect(reports.map { $0["kind"] as? String } == ["claims", "claims"])
        #expect(reports.map { $0["rowsRead"] as? Int } == [3, 1])
        #expect(reports.map { $0["rowsLoaded"] as? Int } == [2, 1])
        #expect(reports.map { $0["rowsRejected"] as? Int } == [1, 0])
        #expect((reports[0]["rejectsByKind"] as? [String: Int]) == ["bad_date": 1])
        #expect((reports[0]["sha256"] as? String)?.count == 64)
    }

    @Test func eligibilityLoads() throws {
        let directory = TemporaryDirectory()
        let file = directory.write("elig.txt", "member_id|enrollment_start_date|enrollment_end_date\nM1|2024-01-01|\nM2|2024-01-01|2023-01-01\n")
        let result = try runLBP(["load", "eligibility", file, "--database", directory.file("h.sqlite"), "--rejects-dir", directory.path],
                                in: directory.path)
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("read 2, loaded 1, rejected 1"))
        #expect(result.stdout.contains("end_before_start 1"))
    }

    @Test func aMissingColumnIsExitCode65AndOneLine() throws {
        let directory = TemporaryDirectory()
        let good = writeClaims(directory)
        let bad = directory.write("bad.csv", "claim_id,claim_line_number,member_id,claim_start_date,diagnosis_code_1\nC5,1,M1,2024-03-01,M5450\n")
        let database = directory.file("h.sqlite")
        let result = try runLBP(["load", "claims", good, bad, "--database", database, "--rejects-dir", directory.path], in: directory.path)
        #expect(result.exitCode == 65)
        let errorLines = lines(result.stderr)
        #expect(errorLines.count == 1, "stderr: \(result.stderr)")
        let line = try #require(errorLines.first)
        #expect(line.hasPrefix("lbp: "))
        #expect(line.contains(bad))
        #expect(line.contains("claim_type"))
        // Only the first file's report is on stdout.
        #expect(result.stdout.contains("\(good): read 3, loaded 2, rejected 1"))
        #expect(!result.stdout.contains(bad))

        // Alone, the bad file prints nothing on stdout.
        let alone = try runLBP(["load", "claims", bad, "--database", database, "--rejects-dir", directory.path], in: directory.path)
        #expect(alone.exitCode == 65)
        #expect(alone.stdout == "")
        #expect(lines(alone.stderr).count == 1)
        #expect(alone.stderr.hasPrefix("lbp: "))
    }

    @Test func aMissingColumnWithJsonPrintsEarlierReportsOnly() throws {
        let directory = TemporaryDirectory()
        let good = writeClaims(directory)
        let bad = directory.write("bad.csv", "claim_id\nC1\n")
        let result = try runLBP(["load", "claims", good, bad, "--json", "--database", directory.file("h.sqlite"),
                                 "--rejects-dir", directory.path], in: directory.path)
        #expect(result.exitCode == 65)
        #expect(lines(result.stderr).count == 1)
        let reports = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(reports?.map { $0["file"] as? String } == [good])
    }

    @Test func aMissingFileFailsWithOneLine() throws {
        let directory = TemporaryDirectory()
        let missing = directory.file("nope.csv")
        let result = try runLBP(["load", "claims", missing, "--database", directory.file("h.sqlite")], in: directory.path)
        #expect(result.exitCode != 0)
        #expect(result.stdout == "")
        #expect(lines(result.stderr).count == 1)
        #expect(result.stderr.hasPrefix("lbp: "))
        #expect(result.stderr.contains(missing))
    }

    @Test func aDirectoryAsDatabaseFailsWithOneLine() throws {
        let directory = TemporaryDirectory()
        let file = writeClaims(directory)
        try FileManager.default.createDirectory(atPath: directory.file("folder"), withIntermediateDirectories: false)
        let result = try runLBP(["load", "claims", file, "--database", directory.file("folder")], in: directory.path)
        #expect(result.exitCode != 0)
        #expect(result.stdout == "")
        #expect(lines(result.stderr).count == 1)
        #expect(result.stderr.hasPrefix("lbp: "))
        #expect(result.stderr.contains(directory.file("folder")))
    }

    @Test func aGarbageDatabaseFailsWithOneLine() throws {
        let directory = TemporaryDirectory()
        let file = writeClaims(directory)
        let database = directory.write("junk.sqlite", String(repeating: "not a database\n", count: 500))
        let result = try runLBP(["load", "claims", file, "--database", database], in: directory.path)
        #expect(result.exitCode != 0)
        #expect(result.stdout == "")
        #expect(lines(result.stderr).count == 1)
        #expect(result.stderr.hasPrefix("lbp: "))
        #expect(directory.read("junk.sqlite") == String(repeating: "not a database\n", count: 500))
    }

    @Test func theDatabaseEnvironmentVariableIsHonoured() throws {
        let directory = TemporaryDirectory()
        let file = writeClaims(directory)
        let database = directory.file("from-env.sqlite")
        let result = try runLBP(["load", "claims", file, "--rejects-dir", directory.path], in: directory.path,
                                environment: ["LBP_DATABASE": database])
        #expect(result.exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: database))
        #expect(!FileManager.default.fileExists(atPath: directory.file("lbp.sqlite")))
        #expect(fileMode(database) == 0o600)

        // --database wins over the variable.
        let other = directory.file("explicit.sqlite")
        let explicit = try runLBP(["load", "claims", file, "--database", other, "--rejects-dir", directory.path], in: directory.path,
                                  environment: ["LBP_DATABASE": database])
        #expect(explicit.exitCode == 0)
        #expect(explicit.stdout.contains("read 3, loaded 2, rejected 1"))
        #expect(!explicit.stdout.contains("already loaded"))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    @Test func theDefaultDatabaseIsInTheWorkingDirectoryAndOwnerOnly() throws {
        let directory = TemporaryDirectory()
        let file = writeClaims(directory)
        let result = try runLBP(["load", "claims", file], in: directory.path)
        #expect(result.exitCode == 0)
        #expect(fileMode(directory.file("lbp.sqlite")) == 0o600)
        #expect(fileMode(directory.file("claims.csv.rejects.csv")) == 0o600)
    }

    @Test func theDelimiterOption() throws {
        let directory = TemporaryDirectory()
        let file = directory.write("pipes.txt", claimsHeader.replacingOccurrences(of: ",", with: "|")
            + "C1|1|professional|M1|2024-03-01|72148|M54.50\n")
        let result = try runLBP(["load", "claims", file, "--delimiter", "pipe", "--database", directory.file("h.sqlite")],
                                in: directory.path)
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("read 1, loaded 1, rejected 0"))
        let wrong = try runLBP(["load", "claims", file, "--delimiter", "semicolon", "--database", directory.file("h.sqlite")],
                               in: directory.path)
        #expect(wrong.exitCode == 64)
    }
}
