import DelimitedText
import Foundation
import SQLiteDB
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

// Shared helpers of the reliability tests: database digests, a claims book generator, and
// running `lbp` as a separate process that a test can kill (seeded inputs: TestSupport's SplitMix64).

// MARK: Database digests

/// The member-history tables, every one of them.
let historyTables = ["load_ledger", "eligibility_span", "claim", "claim_line", "claim_diagnosis", "claim_void",
                     "dx_event", "line_category"]
/// The decision tables.
let decisionTables = ["decide_run", "decision", "decision_evidence", "decision_change"]
/// Columns that hold wall-clock times: left out of digests (two clean runs differ only there).
private let timeColumns: Set<String> = ["loaded_at", "started_at", "decided_at", "applied_at"]

/// Every row of the given tables, in primary-key order, time columns left out, as one text per table.
/// Equal digests mean equal data.
struct Digest: Equatable, CustomStringConvertible {
    var tables: [String: String] = [:]
    var counts: [String: Int] = [:]

    /// FNV-1a of the whole text: a short name for printing.
    var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for table in tables.keys.sorted() {
            for byte in table.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            for byte in tables[table]!.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        return String(hash, radix: 16)
    }

    var description: String {
        fingerprint + " " + counts.keys.sorted().map { "\($0)=\(counts[$0]!)" }.joined(separator: " ")
    }
}

/// The digest of `tables` in the database at `path` (which must exist).
func digest(path: String, tables: [String]) throws -> Digest {
    let db = try Connection(path: path, mode: .readWrite, busyTimeoutMilliseconds: 10_000)
    return try digest(db, tables: tables)
}

func digest(_ db: Connection, tables: [String]) throws -> Digest {
    var result = Digest()
    try db.readSnapshot {
        for table in tables {
            var columns: [(name: String, pk: Int)] = []
            try db.forEach("SELECT name, pk FROM pragma_table_info(?)", [.text(table)]) { columns.append(($0.text(0), $0.int(1))) }
            precondition(!columns.isEmpty, "no table \(table)")
            let kept = columns.filter { !timeColumns.contains($0.name) }.map { "\"\($0.name)\"" }
            let keys = columns.filter { $0.pk > 0 }.sorted { $0.pk < $1.pk }.map { "\"\($0.name)\"" }
            let order = keys.isEmpty ? kept : keys
            // Built by SQLite (quote() keeps types and NULLs apart): fast even in a debug build.
            let row = kept.map { "quote(\($0))" }.joined(separator: " || '|' || ")
            try db.forEach("""
                SELECT count(*), coalesce(group_concat(r, char(10)), '')
                FROM (SELECT \(row) AS r FROM "\(table)" ORDER BY \(order.joined(separator: ", ")))
                """) { found in
                result.counts[table] = found.int(0)
                result.tables[table] = found.text(1)
            }
        }
    }
    return result
}

func historyDigest(_ path: String) throws -> Digest { try digest(path: path, tables: historyTables) }
func decisionDigest(_ path: String) throws -> Digest { try digest(path: path, tables: decisionTables) }

/// `PRAGMA integrity_check` of the database at `path`: "ok" when sound.
func integrityCheck(_ path: String) throws -> String {
    let db = try Connection(path: path, mode: .readWrite, busyTimeoutMilliseconds: 10_000)
    var lines: [String] = []
    try db.forEach("PRAGMA integrity_check") { lines.append($0.text(0)) }
    return lines.joined(separator: "\n")
}

/// Copies a database file (and its WAL, when one is left) to `destination`.
func copyDatabase(_ source: String, to destination: String) throws {
    for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: source + suffix) {
        try? FileManager.default.removeItem(atPath: destination + suffix)
        try FileManager.default.copyItem(atPath: source + suffix, toPath: destination + suffix)
    }
}

// MARK: Rejects files

/// The header and rows of a rejects file, parsed with the engine's own CSV reader (empty when missing).
func parseRejects(_ path: String) throws -> (header: [String], rows: [[String]]) {
    guard FileManager.default.fileExists(atPath: path) else { return ([], []) }
    let reader = CSVReader(source: try FileSource(path: path))
    let header = try reader.readHeader()
    var rows: [[String]] = []
    while try reader.next() { rows.append((0..<reader.fieldCount).map { reader.string($0) }) }
    return (header, rows)
}

/// The number of data rows of a rejects file (0 when missing).
func rejectsRows(_ path: String) throws -> Int { try parseRejects(path).rows.count }

let rejectsHeader = ["source_file", "line_number", "column", "error_kind", "message", "raw_line"]

// MARK: A generated book of claims

/// Eligibility and three monthly claims files, a few thousand rows each: file 2 replaces some of
/// file 1's claims, file 3 voids some (and voids claims never stored); every file has bad rows.
struct ClaimBook {
    var eligibility: [EligibilityRow] = []
    var files: [[ClaimRow]] = [[], [], []]
    /// Rows in each file that must be rejected.
    var badRows = [0, 0, 0]
    /// Claims of file 1 that no later file touches (imaging, decided in every state).
    var untouchedImagingClaims: [String] = []
    /// Imaging claims of file 1 that file 3 voids.
    var voidedImagingClaims: [String] = []

    static let lbp = "M5450"
    static let trauma = "S32000A"
    static let other = "I10"
    static let imagingCodes = ["72100", "72131", "72148"]
    static let officeVisit = "99213"

    init(seed: UInt64, members memberCount: Int = 300, claimsPerFile: Int = 900) {
        var rng = SplitMix64(seed: seed)
        let members = (1...memberCount).map { String(format: "M%05d", $0) }
        for member in members {
            eligibility.append(EligibilityRow(member: member, start: "2023-01-01"))
            if rng.chance(0.2) {  // a second, closed span under another plan
                eligibility.append(EligibilityRow(member: member, start: "2022-01-01", end: "2022-12-31", plan: "HMO"))
            }
        }
        func date(_ month: Int) -> String { String(format: "2024-%02d-%02d", month, rng.int(1...28)) }
        func lines(_ claim: String, member: String, month: Int, imaging: Bool) -> [ClaimRow] {
            let start = date(month)
            let dx = [rng.chance(0.75) ? Self.lbp : Self.other] + (rng.chance(0.15) ? [Self.trauma] : []) + (rng.chance(0.3) ? [Self.other] : [])
            let count = rng.int(1...3)
            let type = rng.chance(0.8) ? "professional" : "institutional"
            return (1...count).map { line in
                let hcpcs = (imaging && line == 1) ? rng.pick(Self.imagingCodes) : Self.officeVisit
                return ClaimRow(claim: claim, line: line, type: type,
                                member: member, start: start, hcpcs: hcpcs, dx: dx, charge: String(rng.int(50...900)))
            }
        }
        func badRow(_ claim: String, member: String, month: Int) -> ClaimRow {
            var row = ClaimRow(claim: claim, line: 9, member: member, start: date(month), hcpcs: Self.officeVisit, dx: [Self.lbp])
            switch rng.int(0..<4) {
            case 0: row.start = "2024-02-30"    // bad_date
            case 1: row.type = "dental"         // bad_value
            case 2: row.line = 0                // bad_integer
            default: row.member = ""            // empty_required
            }
            return row
        }
        // File 1: original claims.
        var file1Claims: [(id: String, member: String, imaging: Bool)] = []
        for n in 1...claimsPerFile {
            let id = String(format: "C%06d", n)
            let member = rng.pick(members)
            let imaging = rng.chance(0.5)
            file1Claims.append((id, member, imaging))
            files[0] += lines(id, member: member, month: rng.int(1...4), imaging: imaging)
            if rng.chance(0.03) { files[0].append(badRow(id, member: member, month: 2)); badRows[0] += 1 }
        }
        // File 2: replacements of about a third of file 1's claims (other lines, other diagnoses), and new claims.
        var touched = Set<String>()
        for claim in file1Claims where rng.chance(0.33) {
            touched.insert(claim.id)
            files[1] += lines(claim.id, member: claim.member, month: rng.int(1...4), imaging: rng.chance(0.5))
        }
        for n in 1...(claimsPerFile / 2) {
            let id = String(format: "D%06d", n)
            let member = rng.pick(members)
            files[1] += lines(id, member: member, month: rng.int(3...6), imaging: rng.chance(0.5))
            if rng.chance(0.03) { files[1].append(badRow(id, member: member, month: 4)); badRows[1] += 1 }
        }
        // File 3: voids of about a sixth of file 1's claims, voids of claims never stored, new claims.
        for claim in file1Claims where !touched.contains(claim.id) && rng.chance(0.17) {
            touched.insert(claim.id)
            if claim.imaging { voidedImagingClaims.append(claim.id) }
            var void = lines(claim.id, member: claim.member, month: 2, imaging: false)[0]
            void.frequency = "8"
            files[2].append(void)
        }
        for n in 1...20 {
            files[2].append(ClaimRow(claim: String(format: "V%06d", n), member: rng.pick(members), start: "2024-05-01",
                                     hcpcs: Self.officeVisit, dx: [Self.other], frequency: "8"))
        }
        for n in 1...(claimsPerFile / 2) {
            let id = String(format: "E%06d", n)
            let member = rng.pick(members)
            files[2] += lines(id, member: member, month: rng.int(4...8), imaging: rng.chance(0.5))
            if rng.chance(0.03) { files[2].append(badRow(id, member: member, month: 6)); badRows[2] += 1 }
        }
        untouchedImagingClaims = file1Claims.filter { $0.imaging && !touched.contains($0.id) }.map(\.id)
    }

    /// Writes the eligibility file and the three claims files into `directory`; returns their paths.
    func write(to directory: TemporaryDirectory) -> (eligibility: String, claims: [String]) {
        let eligibilityPath = directory.write("eligibility_2024.csv", EligibilityRow.csv(eligibility))
        let claimPaths = files.enumerated().map { index, rows in
            directory.write(String(format: "medical_claim_2024_%02d.csv", index + 1), ClaimRow.csv(rows))
        }
        return (eligibilityPath, claimPaths)
    }
}

// MARK: Running lbp as a process

/// The environment `runLBP` gives the binary, plus `extra`.
func lbpEnvironment(_ directory: String, _ extra: [String: String] = [:]) -> [String: String] {
    var env = ["PATH": "/usr/bin:/bin", "HOME": directory]
    env.merge(extra) { $1 }
    return env
}

/// Starts `lbp` with `arguments` (stdout and stderr to the given files, else discarded) and returns the running process.
func startLBP(_ arguments: [String], in directory: String, environment: [String: String] = [:],
              stdoutPath: String? = nil, stderrPath: String? = nil) throws -> Process {
    try startProcess(lbpExecutableURL().path, arguments, in: directory, environment: environment,
                     stdoutPath: stdoutPath, stderrPath: stderrPath)
}

/// Starts any executable, output to files (or discarded).
func startProcess(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String] = [:],
                  stdoutPath: String? = nil, stderrPath: String? = nil) throws -> Process {
    func handle(_ path: String?) -> FileHandle {
        guard let path else { return FileHandle.nullDevice }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)!
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = lbpEnvironment(directory, environment)
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = handle(stdoutPath)
    process.standardError = handle(stderrPath)
    try process.run()
    return process
}

/// A finished command: its exit code (128 + signal when killed), stdout and stderr.
struct CommandResult: Sendable {
    let exitCode: Int32
    let stdout: String
    let stderr: String

    init(exitCode: Int32, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    init(_ result: RunResult) { self.init(exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr) }
}

/// Runs any executable to completion, like `runLBP`.
func runProcess(_ executable: String, _ arguments: [String], in directory: String,
                environment: [String: String] = [:]) throws -> CommandResult {
    let out = directory + "/.out-\(UUID().uuidString)", err = directory + "/.err-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: err) }
    let process = try startProcess(executable, arguments, in: directory, environment: environment, stdoutPath: out, stderrPath: err)
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return CommandResult(exitCode: status, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
}

/// Waits until process `pid` sleeps in SQLite's busy handler with `databasePath` open (Linux:
/// /proc/PID/syscall shows a sleep, /proc/PID/fd holds the database). False after `timeout` seconds.
func waitUntilWaitingForLock(_ pid: Int32, databasePath: String, timeout: Double = 10) -> Bool {
    #if arch(x86_64)
    let sleeps: Set<Int> = [35, 230]      // nanosleep, clock_nanosleep
    #elseif arch(arm64)
    let sleeps: Set<Int> = [101, 115]
    #else
    let sleeps: Set<Int> = []
    #endif
    let target = URL(fileURLWithPath: databasePath).resolvingSymlinksInPath().path
    let deadline = now() + timeout
    var seen = 0
    while now() < deadline {
        let syscall = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8))?
            .split(separator: " ").first.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        let hasDatabase = fds.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == target }
        if let syscall, sleeps.contains(syscall), hasDatabase {
            seen += 1
            if seen >= 3 { return true }
        } else {
            seen = 0
        }
        usleep(2_000)
    }
    return false
}

/// Runs `lbp` to completion and returns its wall-clock time in seconds; records an issue when it fails.
@discardableResult
func timedLBP(_ arguments: [String], in directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
    let started = DispatchTime.now().uptimeNanoseconds
    let result = try runLBP(arguments, in: directory)
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    #expect(result.exitCode == 0, "lbp \(arguments.prefix(2).joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
    return elapsed
}

/// Monotonic seconds.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Sleeps `seconds` (short waits only).
func pause(_ seconds: Double) {
    guard seconds > 0 else { return }
    usleep(useconds_t(seconds * 1_000_000))
}

/// Whether process `pid` holds the WAL write lock of the database at `databasePath` (a POSIX write
/// lock on byte 120 of its `-shm` file, in /proc/locks): it is inside a write transaction.
func holdsWALWriteLock(_ pid: Int32, databasePath: String) -> Bool {
    var info = stat()
    guard stat(databasePath + "-shm", &info) == 0,
          let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return false }
    for line in locks.split(separator: "\n") where !line.contains("->") {
        let fields = line.split(separator: " ")
        guard fields.count >= 8, fields[1] == "POSIX", fields[3] == "WRITE", Int32(fields[4]) == pid,
              fields[5].split(separator: ":").last.flatMap({ UInt64($0) }) == UInt64(info.st_ino) else { continue }
        if fields[6] == "120" { return true }
    }
    return false
}

/// Sends SIGKILL to a process this test started, if it is still running, and waits for it.
/// Returns true when the signal ended it (false: it had exited on its own).
@discardableResult
func killAndWait(_ process: Process) -> Bool {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return process.terminationReason == .uncaughtSignal
}

/// The lines of a command's stderr (without the final empty one).
func stderrLines(_ text: String) -> [Substring] {
    text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
}

/// A failing command's stderr is exactly one `lbp: ...` line, with no crash report.
func expectOneErrorLine(_ result: RunResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    expectOneErrorLine(CommandResult(result), what, sourceLocation: sourceLocation)
}

func expectOneErrorLine(_ result: CommandResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.exitCode != 0, "\(what): expected a failure", sourceLocation: sourceLocation)
    let lines = stderrLines(result.stderr)
    #expect(lines.count == 1, "\(what): stderr should be one line, got: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("lbp: "), "\(what): stderr should start with 'lbp: ': \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasSuffix("\n"), "\(what): the line should end with a newline", sourceLocation: sourceLocation)
    for crash in ["Fatal error", "Stack dump", "Current stack trace", "SIGILL", "SIGSEGV", "Illegal instruction"] {
        #expect(!result.stderr.contains(crash), "\(what): crash report in stderr: \(result.stderr)", sourceLocation: sourceLocation)
    }
}

/// A lock-protected value shared with a background thread.
final class Shared<Value>: @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
    func update(_ body: (inout Value) -> Void) { lock.lock(); defer { lock.unlock() }; body(&value) }
}

// MARK: Killing at a known point

/// Whether process `pid` is stopped (SIGSTOP): state `T` in /proc/PID/stat.
func isStopped(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[close...].dropFirst(2).first
    return state == "T" || state == "t"
}

/// Freezes `process` (SIGSTOP) again and again until `condition` holds while it is frozen, then
/// kills it there (SIGKILL): where it died is known exactly, however fast or slow the machine.
/// Returns false when the process ended before the condition was ever seen (try again).
func killWhileStopped(_ process: Process, where condition: () -> Bool) -> Bool {
    let pid = process.processIdentifier
    while process.isRunning {
        kill(pid, SIGSTOP)
        while process.isRunning && !isStopped(pid) { usleep(100) }
        if process.isRunning && condition() {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return process.terminationReason == .uncaughtSignal
        }
        kill(pid, SIGCONT)
        usleep(1_000)
    }
    process.waitUntilExit()
    return false
}

/// Rows in the load ledger (committed files), read through a connection of this process.
func committedLedgerRows(_ path: String) -> Int64? {
    guard let db = try? Connection(path: path, mode: .readOnly) else { return nil }
    return try? db.scalarInt("SELECT count(*) FROM load_ledger")
}
