import Foundation
import History
import SQLiteDB
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The world around `lbp` misbehaves: a locked, read-only, full, newer, missing or foreign
/// database; an unwritable rejects file. Each time: one `lbp: ...` line, a non-zero exit, and a
/// database exactly as it was.
@Suite(.serialized)
struct HostileEnvironmentTests {
    /// A small loaded history and the next claims file, ready to load.
    final class Fixture {
        let directory = TemporaryDirectory()
        let database: String
        let book = ClaimBook(seed: 0x5EED_0006, members: 60, claimsPerFile: 150)
        let paths: (eligibility: String, claims: [String])

        init() throws {
            database = directory.file("lbp.sqlite")
            paths = book.write(to: directory)
            try timedLBP(["load", "eligibility", paths.eligibility, "--database", database, "--rejects-dir", directory.path], in: directory.path)
            try timedLBP(["load", "claims", paths.claims[0], "--database", database, "--rejects-dir", directory.path], in: directory.path)
        }

        func lbp(_ arguments: [String], environment: [String: String] = [:]) throws -> RunResult {
            let result = try runLBP(arguments, in: directory.path, environment: environment)
            if result.exitCode != 0 { print("[reliability] lbp \(arguments[0]): exit \(result.exitCode): \(result.stderr.trimmingCharacters(in: .newlines))") }
            return result
        }

        var digest: Digest { get throws { try historyDigest(database) } }
    }

    @Test func lockedDatabase() throws {
        let fixture = try Fixture()
        let before = try fixture.digest
        let holder = try Connection(path: fixture.database, mode: .readWrite)
        try holder.execute("BEGIN IMMEDIATE")
        let load = try fixture.lbp(["load", "claims", fixture.paths.claims[1], "--database", fixture.database, "--rejects-dir", fixture.directory.path],
                                   environment: ["LBP_BUSY_TIMEOUT_MS": "200"])
        #expect(load.exitCode == 75)
        expectOneErrorLine(load, "load while locked")
        #expect(load.stderr.contains("locked"))
        let decide = try fixture.lbp(["decide", "--database", fixture.database], environment: ["LBP_BUSY_TIMEOUT_MS": "200"])
        #expect(decide.exitCode == 75)
        expectOneErrorLine(decide, "decide while locked")
        // Readers are not blocked by a writer.
        let export = try fixture.lbp(["export", "--format", "jsonl", "--database", fixture.database], environment: ["LBP_BUSY_TIMEOUT_MS": "200"])
        #expect(export.exitCode == 0, "export while another process writes: \(export.stderr)")
        try holder.execute("ROLLBACK")
        #expect(try fixture.digest == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("medical_claim_2024_02.csv.rejects.csv")))
    }

    @Test func readOnlyDatabase() throws {
        let fixture = try Fixture()
        let before = try fixture.digest
        if geteuid() == 0 {
            // File modes do not stop root: check the read-only connection explain and export use.
            let db = try HistoryDatabase.open(path: fixture.database, readOnly: true)
            #expect(db.isReadOnly)
            for sql in ["DELETE FROM claim_line", "INSERT INTO claim_void(claim_id, load_id) VALUES ('X', 1)", "DROP TABLE claim_void"] {
                do {
                    try db.execute(sql)
                    Issue.record("a write succeeded on a read-only connection: \(sql)")
                } catch let error as SQLiteError {
                    #expect(error.isReadOnly, "\(sql): \(error)")
                }
            }
        } else {
            let wal = fixture.database + "-wal", shm = fixture.database + "-shm"
            for file in [fixture.database, wal, shm] where FileManager.default.fileExists(atPath: file) { chmod(file, 0o400) }
            defer { for file in [fixture.database, wal, shm] where FileManager.default.fileExists(atPath: file) { chmod(file, 0o600) } }
            let load = try fixture.lbp(["load", "claims", fixture.paths.claims[1], "--database", fixture.database, "--rejects-dir", fixture.directory.path])
            expectOneErrorLine(load, "load into a read-only database")
            #expect(load.stderr.contains("read-only"))
        }
        #expect(try fixture.digest == before)
    }

    @Test func fullDiskDuringALoad() throws {
        let fixture = try Fixture()
        let big = ClaimBook(seed: 0x5EED_0007, members: 60, claimsPerFile: 1_500)
        let bigPath = fixture.directory.write("BIG.csv", ClaimRow.csv(big.files[0]))
        let before = try fixture.digest
        // Files may not grow past 64 blocks: writing the WAL fails with EFBIG (SIGXFSZ ignored).
        let result = try runProcess("/bin/sh", ["-c", "ulimit -f 64; trap '' XFSZ; exec \"$0\" \"$@\"", lbpExecutableURL().path,
                                                "load", "claims", bigPath, "--database", fixture.database, "--rejects-dir", fixture.directory.path],
                                    in: fixture.directory.path)
        print("[reliability] load with RLIMIT_FSIZE: exit \(result.exitCode): \(result.stderr.trimmingCharacters(in: .newlines))")
        expectOneErrorLine(result, "load with a full disk")
        #expect(result.exitCode != 0 && result.exitCode < 128, "killed by a signal: \(result.exitCode)")
        #expect(try integrityCheck(fixture.database) == "ok")
        #expect(try fixture.digest == before)
        // Once there is room again, the same file loads.
        let again = try fixture.lbp(["load", "claims", bigPath, "--database", fixture.database, "--rejects-dir", fixture.directory.path])
        #expect(again.exitCode == 0, "\(again.stderr)")
    }

    @Test func databaseOfANewerSchema() throws {
        let fixture = try Fixture()
        let db = try Connection(path: fixture.database, mode: .readWrite)
        try db.run("INSERT INTO schema_migration(name, applied_at) VALUES ('m9999_future', '2030-01-01T00:00:00Z')")
        let before = try fixture.digest
        for arguments in [["load", "claims", fixture.paths.claims[1], "--rejects-dir", fixture.directory.path], ["decide"],
                          ["export", "--format", "csv"], ["explain", fixture.book.untouchedImagingClaims[0]]] {
            let result = try fixture.lbp(arguments + ["--database", fixture.database])
            expectOneErrorLine(result, "\(arguments[0]) on a newer schema")
            #expect(result.stderr.contains("newer"), "\(arguments[0]): \(result.stderr)")
        }
        #expect(try fixture.digest == before)
        #expect(try db.scalarInt("SELECT count(*) FROM schema_migration WHERE name = 'm9999_future'") == 1)
    }

    @Test func databasePathIsADirectory() throws {
        let fixture = try Fixture()
        let folder = fixture.directory.file("a-folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for arguments in [["load", "claims", fixture.paths.claims[1], "--rejects-dir", fixture.directory.path], ["decide"],
                          ["export", "--format", "csv"], ["explain", "C000001"]] {
            let result = try fixture.lbp(arguments + ["--database", folder])
            expectOneErrorLine(result, "\(arguments[0]) with a folder as database")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func fileThatIsNotADatabase() throws {
        let fixture = try Fixture()
        let text = String(repeating: "claim_id,member_id\nC1,M1\n", count: 500)
        let notDatabase = fixture.directory.write("notes.sqlite", text)
        let random = fixture.directory.write("random.sqlite", bytes: (0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })
        for (path, original) in [(notDatabase, Array(text.utf8)), (random, (0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })] {
            for arguments in [["load", "claims", fixture.paths.claims[1], "--rejects-dir", fixture.directory.path], ["decide"],
                              ["export", "--format", "csv"], ["explain", "C000001"]] {
                let result = try fixture.lbp(arguments + ["--database", path])
                expectOneErrorLine(result, "\(arguments[0]) on a file that is not a database")
            }
            #expect(FileManager.default.contents(atPath: path).map(Array.init) == original, "the file was changed")
        }
    }

    @Test func missingRejectsDirectory() throws {
        let fixture = try Fixture()
        let before = try fixture.digest
        let result = try fixture.lbp(["load", "claims", fixture.paths.claims[1], "--database", fixture.database,
                                      "--rejects-dir", fixture.directory.file("no/such/folder")])
        expectOneErrorLine(result, "load with a missing rejects folder")
        #expect(result.exitCode == 74, "a rejects folder that cannot be written is an I/O problem (74), not a bad input file: \(result.stderr)")
        #expect(try fixture.digest == before)
    }

    /// The rejects file cannot be moved into place (its name is taken by a folder). The load must
    /// either succeed with the rejects somewhere, or fail with the database unchanged, so that
    /// running it again (after fixing the folder) writes them; never commit the rows and lose the rejects.
    @Test func rejectsFileCannotBeMovedIntoPlace() throws {
        let fixture = try Fixture()
        let name = (fixture.paths.claims[1] as NSString).lastPathComponent
        let rejects = fixture.directory.file("rejects")
        let blocker = rejects + "/" + name + ".rejects.csv"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
        let before = try fixture.digest
        #expect(fixture.book.badRows[1] > 0)

        let first = try fixture.lbp(["load", "claims", fixture.paths.claims[1], "--database", fixture.database, "--rejects-dir", rejects])
        if first.exitCode != 0 { expectOneErrorLine(first, "load whose rejects file cannot be moved into place") }
        let committed = try fixture.digest != before
        #expect(first.exitCode == 0 || !committed,
                "the load failed (exit \(first.exitCode): \(first.stderr.trimmingCharacters(in: .newlines))) but its rows were committed")

        try FileManager.default.removeItem(atPath: blocker)
        let again = try fixture.lbp(["load", "claims", fixture.paths.claims[1], "--database", fixture.database, "--rejects-dir", rejects])
        #expect(again.exitCode == 0)
        let written = try rejectsRows(blocker)
        let elsewhere = try FileManager.default.contentsOfDirectory(atPath: rejects).filter { $0.hasPrefix(name) && $0 != name + ".rejects.csv" }
        #expect(written == fixture.book.badRows[1] || first.exitCode == 0,
                "\(fixture.book.badRows[1]) rejected rows are in no rejects file after the rerun (it reported: \(again.stdout.split(separator: "\n").first ?? ""))")
        #expect(elsewhere.isEmpty, "temporary rejects files left behind: \(elsewhere)")
    }
}
