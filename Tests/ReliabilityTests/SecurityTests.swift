import DelimitedText
import Foundation
import SQLiteDB
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Hostile ids are data, never code or structure; PHI stays out of error messages; every file
/// `lbp` writes is owner-only.
@Suite(.serialized)
struct SecurityTests {
    /// Claim ids paired with member ids, each hostile in its own way.
    static let hostile: [(claim: String, member: String)] = [
        ("C\"quoted\"1", "M\"quoted\""),
        ("'; DROP TABLE claim; --", "'); DROP TABLE eligibility_span; --"),
        ("K" + String(repeating: "0123456789", count: 10_000), "M" + String(repeating: "x", count: 100_000)),
        ("C\ttab", "M\ttab"),
        ("C\u{1}ctl\u{7F}", "M\u{1}\u{1B}[31mred"),
        ("C,comma", "M,comma"),
        ("C\nline\r\nbreak", "M\rcr"),
        ("Ωμέγα-患者-🙂", "Jos\u{E9}-𝔘𝔫𝔦"),
        ("C\"\u{301}combining", "M\"\u{301},x"),
        ("C\\back\\slash%_*", "M' OR '1'='1"),
        ("=HYPERLINK(\"x\")", "+cmd|' /C calc'!A0"),
    ]

    /// RFC 4180 quoting, byte by byte (the test's own writer, independent of the engine's; a
    /// quote followed by a combining mark is still a quote).
    static func csvField(_ value: String) -> String {
        var bytes: [UInt8] = [34]
        for byte in value.utf8 {
            bytes.append(byte)
            if byte == 34 { bytes.append(34) }
        }
        bytes.append(34)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func claimsCSV(_ pairs: [(claim: String, member: String)]) -> String {
        "claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,diagnosis_code_1\n"
            + pairs.map { [csvField($0.claim), "1", "professional", csvField($0.member), "2024-03-05", "72148", "M54.50"]
                .joined(separator: ",") + "\r\n" }.joined()
    }

    static func eligibilityCSV(_ members: [String]) -> String {
        "member_id,enrollment_start_date,enrollment_end_date,payer,plan\n"
            + members.map { "\(csvField($0)),2023-01-01,,\(csvField("Acme \"Health\", Inc")),PPO\n" }.joined()
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func tables(_ db: Connection) throws -> [String] {
        var names: [String] = []
        try db.forEach("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { names.append($0.text(0)) }
        return names
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    @Test func hostileIdsRoundTripAsData() throws {
        let directory = TemporaryDirectory()
        let database = directory.file("lbp.sqlite")
        let eligibility = directory.write("eligibility.csv", Self.eligibilityCSV(Self.hostile.map(\.member)))
        // A bad row too, so there is a rejects file to check.
        let claims = directory.write("claims.csv", Self.claimsCSV(Self.hostile) + "BAD1,1,dental,M0,2024-03-05,72148,M5450\n")
        let load1 = try runLBP(["load", "eligibility", eligibility, "--database", database, "--rejects-dir", directory.path], in: directory.path)
        #expect(load1.exitCode == 0, "\(load1.stderr)")
        #expect(load1.stdout.contains("read \(Self.hostile.count), loaded \(Self.hostile.count), rejected 0"), "\(load1.stdout)")
        let db = try Connection(path: database, mode: .readWrite)
        let tablesBefore = try Self.tables(db)
        let load2 = try runLBP(["load", "claims", claims, "--database", database, "--rejects-dir", directory.path], in: directory.path)
        #expect(load2.exitCode == 0, "\(load2.stderr)")
        #expect(load2.stdout.contains("read \(Self.hostile.count + 1), loaded \(Self.hostile.count), rejected 1"), "\(load2.stdout)")

        // Stored byte for byte.
        var stored: [[UInt8]: [UInt8]] = [:]
        try db.forEach("SELECT claim_id, member_id FROM claim") { stored[Self.bytes($0.text(0))] = Self.bytes($0.text(1)) }
        for pair in Self.hostile {
            #expect(stored[Self.bytes(pair.claim)] == Self.bytes(pair.member), "claim \(pair.claim.prefix(40).debugDescription) not stored as given")
        }
        var members = Set<[UInt8]>()
        try db.forEach("SELECT member_id FROM eligibility_span") { members.insert(Self.bytes($0.text(0))) }
        #expect(members == Set(Self.hostile.map { Self.bytes($0.member) }))

        let decide = try runLBP(["decide", "--database", database, "--out", directory.file("decisions.csv"),
                                 "--changes-out", directory.file("changes.csv")], in: directory.path)
        #expect(decide.exitCode == 0, "\(decide.stderr)")
        #expect(decide.stdout.contains("\(Self.hostile.count) imaging lines"), "\(decide.stdout)")

        // Exports parse back to the same ids.
        let csvExport = try runLBP(["export", "--format", "csv", "--database", database, "--out", directory.file("export.csv"),
                                    "--manifest", directory.file("export.manifest.json")], in: directory.path)
        #expect(csvExport.exitCode == 0, "\(csvExport.stderr)")
        let jsonlExport = try runLBP(["export", "--format", "jsonl", "--database", database, "--out", directory.file("export.jsonl")],
                                     in: directory.path)
        #expect(jsonlExport.exitCode == 0, "\(jsonlExport.stderr)")
        let expected = Dictionary(uniqueKeysWithValues: Self.hostile.map { (Self.bytes($0.claim), Self.bytes($0.member)) })

        for file in ["export.csv", "decisions.csv"] {
            let reader = CSVReader(source: try FileSource(path: directory.file(file)))
            let header = try reader.readHeader()
            var exported: [[UInt8]: [UInt8]] = [:]
            var wellFormed = true
            while try reader.next() {
                if reader.issue != nil || reader.fieldCount != header.count { wellFormed = false; continue }
                exported[Array(reader.field(0))] = Array(reader.field(2))
            }
            #expect(wellFormed, "\(file): a row is not well-formed CSV (a value broke out of its quotes)")
            #expect(exported == expected, "\(file): ids did not round-trip: \(Set(expected.keys).subtracting(exported.keys).map { String(decoding: $0.prefix(30), as: UTF8.self).debugDescription })")
        }

        var fromJSON: [[UInt8]: [UInt8]] = [:]
        let jsonl = try #require(directory.read("export.jsonl"))
        for line in jsonl.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let claim = object?["claim_id"] as? String, let member = object?["member_id"] as? String {
                fromJSON[Self.bytes(claim)] = Self.bytes(member)
            }
        }
        #expect(fromJSON == expected, "JSON Lines ids did not round-trip")

        // Explain finds a hostile claim by its exact id (the injection, the 100 KB one, the unicode one).
        for pair in [Self.hostile[1], Self.hostile[2], Self.hostile[7]] {
            let explain = try runLBP(["explain", pair.claim, "--database", database], in: directory.path)
            #expect(explain.exitCode == 0, "explain \(pair.claim.prefix(30).debugDescription): \(explain.stderr)")
        }

        // Nothing was dropped or executed.
        #expect(try Self.tables(db) == tablesBefore)
        #expect(try integrityCheck(database) == "ok")

        // Owner-only files: the database (and its WAL/SHM), rejects, exports, manifest, decide outputs.
        let written = ["lbp.sqlite", "lbp.sqlite-wal", "lbp.sqlite-shm", "claims.csv.rejects.csv", "export.csv",
                       "export.manifest.json", "export.jsonl", "decisions.csv", "changes.csv"]
        for name in written where FileManager.default.fileExists(atPath: directory.file(name)) || !name.hasPrefix("lbp.sqlite-") {
            #expect(Self.mode(directory.file(name)) == 0o600, "\(name) has mode \(String(Self.mode(directory.file(name)), radix: 8))")
        }
    }

    /// Two claim ids that differ in bytes but are canonically equivalent in Unicode (NFC and NFD
    /// "CAFÉ") are two claims to SQLite, and must stay two claims.
    @Test func canonicallyEquivalentIdsStayDistinct() throws {
        let directory = TemporaryDirectory()
        let database = directory.file("lbp.sqlite")
        let pairs = [("CAF\u{C9}", "M-NFC"), ("CAFE\u{301}", "M-NFD")]
        let eligibility = directory.write("eligibility.csv", Self.eligibilityCSV(pairs.map(\.1)))
        let claims = directory.write("claims.csv", Self.claimsCSV(pairs.map { (claim: $0.0, member: $0.1) }))
        #expect(try runLBP(["load", "eligibility", eligibility, "--database", database], in: directory.path).exitCode == 0)
        let load = try runLBP(["load", "claims", claims, "--database", database, "--rejects-dir", directory.path], in: directory.path)
        #expect(load.exitCode == 0, "a file with NFC and NFD spellings of one id failed to load: \(load.stderr)")
        let db = try Connection(path: database, mode: .readWrite)
        var stored: [[UInt8]: [UInt8]] = [:]
        try db.forEach("SELECT claim_id, member_id FROM claim") { stored[Self.bytes($0.text(0))] = Self.bytes($0.text(1)) }
        #expect(stored == Dictionary(uniqueKeysWithValues: pairs.map { (Self.bytes($0.0), Self.bytes($0.1)) }))
    }

    @Test func errorMessagesCarryNoMemberData() throws {
        let directory = TemporaryDirectory()
        let database = directory.file("lbp.sqlite")
        let members = ["MEMBER-SECRET-001", "Jos\u{E9}-Private"]
        let claimIDs = ["CLAIM-SECRET-77", "CLAIM-SECRET-78"]
        let pairs = Array(zip(claimIDs, members)).map { (claim: $0.0, member: $0.1) }
        let eligibility = directory.write("eligibility.csv", Self.eligibilityCSV(members))
        #expect(try runLBP(["load", "eligibility", eligibility, "--database", database], in: directory.path).exitCode == 0)
        #expect(try runLBP(["load", "claims", directory.write("claims.csv", Self.claimsCSV(pairs)), "--database", database,
                            "--rejects-dir", directory.path], in: directory.path).exitCode == 0)
        #expect(try runLBP(["decide", "--database", database], in: directory.path).exitCode == 0)

        var failures: [(String, RunResult)] = []
        func fail(_ what: String, _ arguments: [String], environment: [String: String] = [:]) throws {
            let result = try runLBP(arguments, in: directory.path, environment: environment)
            #expect(result.exitCode != 0, "\(what) should fail")
            expectOneErrorLine(result, what)
            failures.append((what, result))
        }
        // Explain of a claim not in the history (its id is itself an identifier: not echoed).
        try fail("explain of an unknown claim", ["explain", "CLAIM-SECRET-99", "--database", database])
        try fail("explain of an unknown line", ["explain", claimIDs[0], "7", "--database", database])
        // Bad files whose first line holds member data.
        let row = "\(claimIDs[0]),1,professional,\(members[0]),2024-03-05,72148,M5450,\(members[0])\n"
        try fail("a claims file with no header", ["load", "claims", directory.write("noheader.csv", row + row), "--database", database])
        try fail("a header missing a column", ["load", "claims", directory.write("missing.csv", "claim_id,\(members[0])\n" + row),
                                               "--database", database])
        try fail("a header naming a column twice", ["load", "claims", directory.write("twice.csv",
            "claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,diagnosis_code_1,member_id\n" + row),
                                                    "--database", database])
        try fail("an eligibility file of claims", ["load", "eligibility", directory.write("wrongkind.csv", row), "--database", database])
        // A locked database.
        let holder = try Connection(path: database, mode: .readWrite)
        try holder.execute("BEGIN IMMEDIATE")
        try fail("a locked database", ["load", "claims", directory.write("more.csv", Self.claimsCSV([(claim: "CLAIM-SECRET-79", member: members[1])])),
                                       "--database", database, "--rejects-dir", directory.path], environment: ["LBP_BUSY_TIMEOUT_MS": "100"])
        try holder.execute("ROLLBACK")

        for (what, result) in failures {
            for secret in members + claimIDs + ["CLAIM-SECRET-99"] {
                #expect(!result.stderr.lowercased().contains(secret.lowercased()),
                        "\(what): the error message shows \(secret): \(result.stderr)")
            }
        }

        // With --verbose, explain may name the claim it did not find.
        let verbose = try runLBP(["explain", "CLAIM-SECRET-99", "--verbose", "--database", database], in: directory.path)
        #expect(verbose.exitCode != 0)
        #expect(verbose.stderr.contains("CLAIM-SECRET-99"))
        expectOneErrorLine(verbose, "explain --verbose of an unknown claim")
    }
}
