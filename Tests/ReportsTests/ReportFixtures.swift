import Crypto
import DelimitedText
import Foundation
import History
import Policy
import Reports
import SQLiteDB
import TestSupport

/// Codes used by the report tests.
enum Code {
    static let lbp = "M5450"
    static let trauma = "S32000A"
    static let other = "I10"
    static let xray = "72100"
    static let ct = "72131"
    static let mri = "72148"
    static let officeVisit = "99213"
}

/// The two decide runs' clocks.
enum Clocks {
    /// 2026-01-01T00:00:00Z
    static let january = History.Clock.fixed(1_767_225_600)
    /// 2026-02-01T12:00:00Z
    static let february = History.Clock.fixed(1_769_947_200)
}

/// A history decided twice, whose current decisions are known in advance:
///
/// | line | member | service | decision | decided in |
/// |---|---|---|---|---|
/// | C01/1 | M1 | 2024-03-10 | ALLOW RED_FLAG_TRAUMA (was DENY: trauma arrived in april.csv) | run 2 |
/// | C02/1 | M1 | 2024-03-30 | ALLOW PRIOR_LBP_DIAGNOSIS | run 1 |
/// | C03/1 | M2 | 2024-05-05 | ALLOW RED_FLAG_TRAUMA | run 1 |
/// | C04/1 | M2 | 2024-06-20 | ALLOW PRIMARY_DX_NOT_LBP | run 1 |
/// | C05/1 | M3 | 2024-04-01 | ALLOW NO_COVERAGE | run 1 |
/// | C06/1 | M4 | 2024-09-02 | DENY | run 1 |
/// | C06/2 | M4 | 2024-09-03 | DENY | run 1 |
/// | C07/1 | M4 | 2024-12-01 | ALLOW PRIOR_LBP_DIAGNOSIS (new) | run 2 |
final class DecidedHistory {
    let history: TestHistory
    let firstRun: DecideSummary
    let secondRun: DecideSummary

    static let allLines = ["C01/1", "C02/1", "C03/1", "C04/1", "C05/1", "C06/1", "C06/2", "C07/1"]

    init() throws {
        history = try TestHistory()
        try history.loadEligibility([
            EligibilityRow(member: "M1", start: "2023-01-01", plan: "PPO"),
            EligibilityRow(member: "M2", start: "2023-01-01", plan: "HMO"),
            EligibilityRow(member: "M4", start: "2023-01-01", plan: "PPO"),
        ], name: "eligibility.csv")
        try history.loadClaims([
            ClaimRow(claim: "H1", member: "M1", start: "2024-03-01", hcpcs: Code.officeVisit, dx: [Code.lbp]),
            ClaimRow(claim: "C01", member: "M1", start: "2024-03-10", hcpcs: Code.mri, dx: [Code.lbp], charge: "500.00"),
            ClaimRow(claim: "C02", member: "M1", start: "2024-03-30", hcpcs: Code.xray, dx: [Code.lbp]),
            ClaimRow(claim: "C03", member: "M2", start: "2024-05-05", hcpcs: Code.ct, dx: [Code.lbp, Code.trauma]),
            ClaimRow(claim: "C04", member: "M2", start: "2024-06-20", hcpcs: Code.mri, dx: [Code.other]),
            ClaimRow(claim: "C05", member: "M3", start: "2024-04-01", hcpcs: Code.mri, dx: [Code.lbp]),
            ClaimRow(claim: "C06", line: 1, type: "institutional", member: "M4", start: "2024-09-02", lineStart: "2024-09-02",
                     hcpcs: Code.mri, dx: [Code.lbp, "I10"], revenue: "0610", charge: "100.00"),
            ClaimRow(claim: "C06", line: 2, type: "institutional", member: "M4", start: "2024-09-02", lineStart: "2024-09-03",
                     hcpcs: Code.ct, dx: [Code.lbp, "I10"], charge: "250.50"),
        ], name: "march.csv")
        firstRun = try DecideRun(db: history.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: history.db),
                                 clock: Clocks.january).run()
        try history.loadClaims([
            ClaimRow(claim: "T1", member: "M1", start: "2024-03-15", hcpcs: Code.officeVisit, dx: [Code.trauma]),
            ClaimRow(claim: "C07", member: "M4", start: "2024-12-01", hcpcs: Code.mri, dx: [Code.lbp]),
        ], name: "april.csv")
        secondRun = try DecideRun(db: history.db, policy: try ResolvedPolicy(settings: PolicySettings(), db: history.db),
                                  clock: Clocks.february).run()
    }

    var db: Connection { history.db }

    /// The current decisions matching `filter`, as the store reads them.
    func decisions(_ filter: DecisionFilter = DecisionFilter()) throws -> [Decision] {
        var all: [Decision] = []
        try DecisionStore(history.db).forEachCurrent(filter) { all.append($0) }
        return all
    }

    /// Exports to a new file of the history's directory; returns its path and the manifest.
    func export(_ format: ExportFormat, _ filter: DecisionFilter = DecisionFilter(), name: String? = nil) throws -> (path: String, manifest: ExportManifest) {
        let path = history.directory.file(name ?? "export-\(UUID().uuidString).\(format.rawValue)")
        let manifest = try DecisionExporter(db: history.db).export(format: format, filter: filter, to: try OutputFile(path: path))
        return (path, manifest)
    }
}

/// Reads a CSV file with the project's reader: the header and every row's fields.
func readCSV(_ path: String) throws -> (header: [String], rows: [[String]]) {
    let reader = CSVReader(source: try FileSource(path: path), delimiter: UInt8(ascii: ","))
    let header = try reader.readHeader()
    var rows: [[String]] = []
    while try reader.next() {
        rows.append((0..<reader.fieldCount).map { reader.string($0) })
    }
    return (header, rows)
}

/// The bytes of a file (empty when missing).
func contents(_ path: String) -> Data {
    FileManager.default.contents(atPath: path) ?? Data()
}

/// Hex SHA-256 of a file's bytes.
func sha256(_ path: String) -> String {
    SHA256.hash(data: contents(path)).map { String(format: "%02x", $0) }.joined()
}

/// Hex SHA-256 of a file as `sha256sum` prints it (an independent implementation).
func sha256sum(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}

/// The permission bits of a file.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// `claim/line` of each decision.
func keys(_ decisions: [Decision]) -> [String] {
    decisions.map { "\($0.line.claimID)/\($0.line.lineNumber)" }
}
