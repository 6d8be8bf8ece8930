import DelimitedText
import Foundation
import History
import Ingest
import SQLiteDB
import Testing
import TestSupport

/// Several `lbp` processes on one database: readers (explain, export) answer during a load and
/// see whole snapshots; a second writer waits or fails cleanly (exit 75); nothing is corrupted.
@Suite(.serialized)
struct ConcurrencyTests {
    /// The export's rows as (claim, line, member, service date, code, outcome, reason): what a snapshot holds.
    static func exportSnapshot(_ csv: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let reader = CSVReader(source: MemorySource(csv))
        let header = try reader.readHeader()
        #expect(Array(header.prefix(7)) == ["claim_id", "claim_line_number", "member_id", "service_date", "hcpcs_code", "outcome", "reason"],
                sourceLocation: sourceLocation)
        var rows: [String] = []
        while try reader.next() {
            #expect(reader.fieldCount == header.count, sourceLocation: sourceLocation)
            rows.append((0..<7).map { reader.string($0) }.joined(separator: "|"))
        }
        return rows
    }

    @Test func explainAndExportDuringAMultiFileLoadAndDecide() throws {
        let directory = TemporaryDirectory()
        let book = ClaimBook(seed: 0x5EED_0003)
        let paths = book.write(to: directory)
        let rejects = directory.path

        // Reference: the exports before and after the writer's work.
        let reference = directory.file("reference.sqlite")
        try timedLBP(["load", "eligibility", paths.eligibility, "--database", reference, "--rejects-dir", rejects], in: directory.path)
        try timedLBP(["load", "claims", paths.claims[0], "--database", reference, "--rejects-dir", rejects], in: directory.path)
        try timedLBP(["decide", "--database", reference], in: directory.path)
        let live = directory.file("live.sqlite")
        try copyDatabase(reference, to: live)
        let exportBefore = try runLBP(["export", "--format", "csv", "--database", reference], in: directory.path)
        try timedLBP(["load", "claims", paths.claims[1], paths.claims[2], "--database", reference, "--rejects-dir", rejects], in: directory.path)
        try timedLBP(["decide", "--database", reference], in: directory.path)
        let exportAfter = try runLBP(["export", "--format", "csv", "--database", reference], in: directory.path)
        let expected = [try Self.exportSnapshot(exportBefore.stdout), try Self.exportSnapshot(exportAfter.stdout)]
        #expect(expected[0].count != expected[1].count, "the writer's work changes the export's row count")

        // The writer: a multi-file load, then a decide run, in other processes.
        let writerDone = Shared(false)
        let writerResults = Shared<[CommandResult]>([])
        let writer = Thread {
            for arguments in [["load", "claims", paths.claims[1], paths.claims[2], "--rejects-dir", rejects], ["decide"]] {
                let result = (try? runLBP(arguments + ["--database", live], in: directory.path)).map(CommandResult.init)
                    ?? CommandResult(exitCode: -1, stdout: "", stderr: "could not start")
                writerResults.update { $0.append(result) }
            }
            writerDone.update { $0 = true }
        }
        writer.start()

        let steady = book.untouchedImagingClaims[0]
        // A claim file 3 voids: explained from its stored decision until decide withdraws it.
        let voided = book.voidedImagingClaims[0]
        var exports = 0, explains = 0
        var seen = [0, 0]
        while !writerDone.get() || exports < 3 {
            let explain = try runLBP(["explain", steady, "--database", live], in: directory.path)
            #expect(explain.exitCode == 0, "explain during the load: \(explain.stderr)")
            #expect(explain.stdout.contains("Claim \(steady) line"), "explain prints the decision")
            let gone = try runLBP(["explain", voided, "--database", live], in: directory.path)
            if gone.exitCode != 0 {
                #expect(gone.exitCode == 1 && gone.stderr.contains("not an imaging line"), "explain of a voided claim: \(gone.stderr)")
                expectOneErrorLine(gone, "explain of a voided claim")
            }
            explains += 2
            let export = try runLBP(["export", "--format", "csv", "--database", live], in: directory.path)
            #expect(export.exitCode == 0, "export during the load: \(export.stderr)")
            let snapshot = try Self.exportSnapshot(export.stdout)
            if let state = expected.firstIndex(of: snapshot) { seen[state] += 1 } else {
                Issue.record("export \(exports) shows \(snapshot.count) rows, a state no clean run has (\(expected[0].count) or \(expected[1].count))")
            }
            exports += 1
        }
        for result in writerResults.get() {
            #expect(result.exitCode == 0, "writer: \(result.stderr)")
        }
        #expect(try historyDigest(live) == historyDigest(reference))
        #expect(try integrityCheck(live) == "ok")
        print("[reliability] concurrency: \(explains) explains and \(exports) exports during a 2-file load and a decide; "
              + "snapshots before \(seen[0]), after \(seen[1]); none mixed")
    }

    /// Readers in other processes answer while a write transaction is certainly open: this
    /// process loads a file and, from inside that load's transaction (the loader's progress
    /// callback), runs `lbp export`, `explain` and `ledger`. They must answer at once and show the
    /// last committed state, not the half-loaded file.
    @Test func readersAnswerInsideAnOpenWriteTransaction() throws {
        let directory = TemporaryDirectory()
        let book = ClaimBook(seed: 0x5EED_0006, members: 50, claimsPerFile: 200)
        let paths = book.write(to: directory)
        let database = directory.file("lbp.sqlite")
        try timedLBP(["load", "eligibility", paths.eligibility, "--database", database, "--rejects-dir", directory.path], in: directory.path)
        try timedLBP(["load", "claims", paths.claims[0], "--database", database, "--rejects-dir", directory.path], in: directory.path)
        try timedLBP(["decide", "--database", database], in: directory.path)
        let steady = book.untouchedImagingClaims[0]
        // A reader that waited for the lock would fail with exit 75 after 100 ms instead of answering.
        let quick = ["LBP_BUSY_TIMEOUT_MS": "100"]
        let readers = [["export", "--format", "csv"], ["explain", steady], ["ledger"]]
        let before = try readers.map { try runLBP($0 + ["--database", database], in: directory.path, environment: quick) }
        #expect(before.map(\.exitCode) == [0, 0, 0], "\(before.map(\.stderr))")

        let db = try HistoryDatabase.open(path: database)
        let during = Shared<[CommandResult]>([])
        let lockHeld = Shared<[Bool]>([])
        let loader = ExtractLoader(db: db, options: .init(rejectsDirectory: directory.path, progressEvery: 1)) { _ in
            guard during.get().isEmpty else { return }
            // Inside the load: the transaction is open and this process holds the WAL write lock.
            lockHeld.update { $0.append(db.inTransaction && holdsWALWriteLock(getpid(), databasePath: database)) }
            let results = readers.map { arguments in
                (try? runLBP(arguments + ["--database", database], in: directory.path, environment: quick)).map(CommandResult.init)
                    ?? CommandResult(exitCode: -1, stdout: "", stderr: "could not start")
            }
            during.update { $0 = results }
            lockHeld.update { $0.append(db.inTransaction && holdsWALWriteLock(getpid(), databasePath: database)) }
        }
        let report = try loader.load(path: paths.claims[1], kind: .claims)
        #expect(report.status == .loaded)
        #expect(!db.inTransaction)

        #expect(lockHeld.get() == [true, true], "the readers ran while this process held the write transaction")
        let results = during.get()
        try #require(results.count == 3, "the load reported no progress, so no reader ran inside it")
        for (index, result) in results.enumerated() {
            #expect(result.exitCode == 0, "lbp \(readers[index][0]) inside the write transaction: \(result.stderr)")
            #expect(result.stdout == before[index].stdout, "lbp \(readers[index][0]) showed uncommitted data")
        }
        #expect(results[1].stdout.contains("Claim \(steady) line"))

        // After the commit, a reader sees the file.
        let ledgerAfter = try runLBP(["ledger", "--database", database], in: directory.path)
        let loadedName = (paths.claims[1] as NSString).lastPathComponent
        #expect(!before[2].stdout.contains(loadedName))
        #expect(ledgerAfter.stdout.contains(loadedName))
        #expect(try integrityCheck(database) == "ok")
    }

    @Test func secondLoadWaitsOrFailsWithExit75() throws {
        let directory = TemporaryDirectory()
        let book = ClaimBook(seed: 0x5EED_0004)
        let paths = book.write(to: directory)
        let clean = directory.file("clean.sqlite")
        try timedLBP(["load", "eligibility", paths.eligibility, "--database", clean, "--rejects-dir", directory.path], in: directory.path)
        let live = directory.file("live.sqlite")
        try copyDatabase(clean, to: live)
        try timedLBP(["load", "claims"] + paths.claims + ["--database", clean, "--rejects-dir", directory.path], in: directory.path)

        let first = try startLBP(["load", "claims"] + paths.claims + ["--database", live, "--rejects-dir", directory.path],
                                 in: directory.path, stderrPath: directory.file("first.err"))
        var outcomes: [Int32: Int] = [:]
        repeat {
            let second = try runLBP(["load", "claims"] + paths.claims + ["--database", live, "--rejects-dir", directory.path],
                                    in: directory.path, environment: ["LBP_BUSY_TIMEOUT_MS": "100"])
            outcomes[second.exitCode, default: 0] += 1
            if second.exitCode == 75 {
                expectOneErrorLine(second, "a second load while one runs")
                #expect(second.stderr.contains("locked"))
            } else {
                #expect(second.exitCode == 0, "a second load either waits and succeeds or fails with 75: \(second.stderr)")
            }
        } while first.isRunning
        first.waitUntilExit()
        #expect(first.terminationStatus == 0, "the first load: \(directory.read("first.err") ?? "")")
        #expect(try integrityCheck(live) == "ok")
        #expect(try historyDigest(live) == historyDigest(clean))
        print("[reliability] concurrent second loads (busy timeout 100 ms): exit codes \(outcomes.sorted { $0.key < $1.key })")
    }

    /// A load that checked the ledger, then waited for the write lock while another process loaded
    /// the same file, must not fail on the ledger's unique key: the file is already loaded.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/syscall"), "needs Linux /proc to see the other process wait"))
    func loadThatWaitedForTheLockWhileTheSameFileWasLoaded() throws {
        let directory = TemporaryDirectory()
        let book = ClaimBook(seed: 0x5EED_0005, members: 50, claimsPerFile: 200)
        let paths = book.write(to: directory)
        let database = directory.file("lbp.sqlite")
        try timedLBP(["load", "eligibility", paths.eligibility, "--database", database, "--rejects-dir", directory.path], in: directory.path)
        let clean = directory.file("clean.sqlite")
        try copyDatabase(database, to: clean)
        try timedLBP(["load", "claims", paths.claims[0], "--database", clean, "--rejects-dir", directory.path], in: directory.path)

        // This process loads file 1; inside its transaction, it starts another `lbp load` of the
        // same file and lets it go on only once it waits for the lock (it has looked at the ledger).
        let db = try HistoryDatabase.open(path: database)
        let other = Shared<Process?>(nil)
        let blocked = Shared(false)
        let rejectsHere = directory.file("here")
        try FileManager.default.createDirectory(atPath: rejectsHere, withIntermediateDirectories: true)
        let loader = ExtractLoader(db: db, options: .init(rejectsDirectory: rejectsHere, progressEvery: 1)) { _ in
            guard other.get() == nil else { return }
            let process = try? startLBP(["load", "claims", paths.claims[0], "--database", database, "--rejects-dir", directory.path],
                                        in: directory.path, stdoutPath: directory.file("other.out"), stderrPath: directory.file("other.err"))
            other.update { $0 = process }
            if let process { blocked.update { $0 = waitUntilWaitingForLock(process.processIdentifier, databasePath: database) } }
        }
        let report = try loader.load(path: paths.claims[0], kind: .claims)
        #expect(report.status == .loaded)
        let process = try #require(other.get())
        #expect(blocked.get(), "the other load should have waited for the lock")
        process.waitUntilExit()
        let stderr = directory.read("other.err") ?? ""
        #expect(process.terminationStatus == 0,
                "the second load waited for the lock, then failed instead of reporting the file as already loaded: exit \(process.terminationStatus), \(stderr)")
        #expect((directory.read("other.out") ?? "").contains("already loaded"))
        #expect(try historyDigest(database) == historyDigest(clean))
        #expect(try integrityCheck(database) == "ok")
    }
}
