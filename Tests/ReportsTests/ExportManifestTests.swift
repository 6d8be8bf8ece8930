import DelimitedText
import Foundation
import History
import Policy
import Reports
import TestSupport
import Testing

/// The export manifest proves what an auditor received: the file's SHA-256, size, rows and counts;
/// export files are readable by their owner only.
@Suite("Export manifests and file permissions")
struct ExportManifestTests {
    @Test("the manifest's digest, size, rows and counts match the file", arguments: [ExportFormat.csv, .jsonl, .x835])
    func manifestMatchesFile(format: ExportFormat) throws {
        let scenario = try DecidedHistory()
        let (path, manifest) = try scenario.export(format)
        #expect(manifest.file == path)
        #expect(manifest.format == format.rawValue)
        #expect(manifest.sha256 == (try sha256sum(path)))
        #expect(manifest.sha256 == sha256(path))
        #expect(manifest.bytes == contents(path).count)
        #expect(manifest.filters == "all")
        #expect(manifest.engineVersion == Engine.version)

        let decisions = try scenario.decisions(format == .x835 ? DecisionFilter(outcome: .deny) : DecisionFilter())
        #expect(manifest.rows == decisions.count)
        #expect(manifest.policyVersions == [scenario.secondRun.policyVersion])
        var expected: [String: Int] = [:]
        for decision in decisions { expected["\(decision.outcome.rawValue) \(decision.reason)", default: 0] += 1 }
        #expect(manifest.counts.map { "\($0.outcome) \($0.reason) \($0.rows)" } == expected.keys.sorted().map { "\($0) \(expected[$0]!)" })
        #expect(manifest.counts.reduce(0) { $0 + $1.rows } == manifest.rows)
    }

    @Test("the CSV manifest counts, by outcome and reason")
    func csvCounts() throws {
        let scenario = try DecidedHistory()
        let manifest = try scenario.export(.csv).manifest
        #expect(manifest.rows == 8)
        #expect(manifest.counts.map { "\($0.outcome) \($0.reason) \($0.rows)" } == [
            "ALLOW NO_COVERAGE 1",
            "ALLOW PRIMARY_DX_NOT_LBP 1",
            "ALLOW PRIOR_LBP_DIAGNOSIS 2",
            "ALLOW RED_FLAG_TRAUMA 2",
            "DENY LBP_IMAGING_WITHIN_28_DAYS 2",
        ])
        let filtered = try scenario.export(.csv, DecisionFilter(memberID: "M4", outcome: .deny)).manifest
        #expect(filtered.filters == "member=M4 outcome=DENY")
        #expect(filtered.rows == 2)
    }

    @Test("the manifest's JSON names every field")
    func manifestJSON() throws {
        let scenario = try DecidedHistory()
        let (path, manifest) = try scenario.export(.jsonl)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(manifest.json().utf8)) as? [String: Any])
        #expect(object["format"] as? String == "jsonl")
        #expect(object["file"] as? String == path)
        #expect(object["rows"] as? Int == 8)
        #expect(object["bytes"] as? Int == contents(path).count)
        #expect(object["sha256"] as? String == (try sha256sum(path)))
        #expect(object["filters"] as? String == "all")
        #expect(object["policy_versions"] as? [String] == [scenario.secondRun.policyVersion])
        #expect(object["engine_version"] as? String == Engine.version)
        #expect((object["counts"] as? [[String: Any]])?.count == 5)
        #expect(try JSONDecoder().decode(ExportManifest.self, from: Data(manifest.json().utf8)) == manifest)
    }

    @Test("an empty export: no rows, the digest of the bytes written")
    func emptyExport() throws {
        let scenario = try DecidedHistory()
        let (path, manifest) = try scenario.export(.jsonl, DecisionFilter(memberID: "nobody"))
        #expect(manifest.rows == 0)
        #expect(manifest.counts.isEmpty)
        #expect(manifest.policyVersions.isEmpty)
        #expect(manifest.bytes == 0)
        #expect(manifest.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(manifest.sha256 == (try sha256sum(path)))
    }

    @Test("export files are created with permissions 0600 and leave no partial file", arguments: [ExportFormat.csv, .jsonl, .x835])
    func permissionsOfExports(format: ExportFormat) throws {
        let scenario = try DecidedHistory()
        let (path, _) = try scenario.export(format, name: "out.\(format.rawValue)")
        #expect(try permissions(path) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scenario.history.directory.path).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty)
    }

    @Test("an existing readable file is made owner-only when overwritten")
    func overwriteKeepsOwnerOnly() throws {
        let scenario = try DecidedHistory()
        let path = scenario.history.directory.write("old.csv", "old contents\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        _ = try DecisionExporter(db: scenario.db).export(format: .csv, filter: DecisionFilter(), to: try OutputFile(path: path))
        #expect(try permissions(path) == 0o600)
        #expect(!String(decoding: contents(path), as: UTF8.self).contains("old contents"))
    }

    @Test("lbp export writes the file and its manifest; the manifest's digest is the file's")
    func exportCommand() throws {
        let scenario = try DecidedHistory()
        let directory = scenario.history.directory
        let out = directory.file("cli.csv"), manifestPath = directory.file("cli.manifest.json")
        let result = try runLBP(["export", "--database", scenario.history.databasePath, "--format", "csv", "--outcome", "DENY",
                                 "--out", out, "--manifest", manifestPath], in: directory.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let manifest = try JSONDecoder().decode(ExportManifest.self, from: contents(manifestPath))
        #expect(manifest.sha256 == (try sha256sum(out)))
        #expect(manifest.rows == 2)
        #expect(manifest.filters == "outcome=DENY")
        #expect(try permissions(out) == 0o600)
        #expect(try permissions(manifestPath) == 0o600)
        // The same bytes as the library's export with the same filter.
        let library = try scenario.export(.csv, DecisionFilter(outcome: .deny))
        #expect(contents(out) == contents(library.path))
    }
}
