import Foundation
import History
import Ingest
import SQLiteDB

/// A member history in a temporary directory, with helpers to load extracts written inline.
///
/// ```swift
/// let history = try TestHistory()
/// try history.loadEligibility([.init(member: "M1", start: "2023-01-01")])
/// try history.loadClaims([.init(claim: "C1", member: "M1", start: "2024-03-01", dx: ["M5450"])])
/// ```
public final class TestHistory {
    public let directory = TemporaryDirectory()
    public let db: Connection
    public let clock: History.Clock
    private var fileCounter = 0

    public init(clock: History.Clock = .fixed(1_767_225_600)) throws {
        self.clock = clock
        db = try HistoryDatabase.open(path: directory.file("lbp.sqlite"), clock: clock)
    }

    public var databasePath: String { directory.file("lbp.sqlite") }
    /// Loads claims files through the stage even when their claims are adjacent.
    public var stagedClaims = false
    /// Reads streamed claims files on a second thread (`ExtractLoader.Options.parallelRead`).
    public var parallelRead = true
    /// Rows per batch from reading to writing (`ExtractLoader.Options.readBatchRows`).
    public var readBatchRows = 512
    /// Whether the last claims file loaded went through the stage.
    public private(set) var lastLoadWasStaged = false

    /// Loads eligibility rows as one file; returns the report.
    @discardableResult
    public func loadEligibility(_ rows: [EligibilityRow], name: String? = nil) throws -> LoadReport {
        try load(EligibilityRow.csv(rows), kind: .eligibility, name: name)
    }

    /// Loads claim rows as one file; returns the report.
    @discardableResult
    public func loadClaims(_ rows: [ClaimRow], name: String? = nil) throws -> LoadReport {
        try load(ClaimRow.csv(rows), kind: .claims, name: name)
    }

    /// Writes `text` to a new file and loads it.
    @discardableResult
    public func load(_ text: String, kind: ExtractKind, name: String? = nil) throws -> LoadReport {
        fileCounter += 1
        let path = directory.write(name ?? "\(kind.rawValue)_\(fileCounter).csv", text)
        let loader = ExtractLoader(db: db, options: .init(
            rejectsDirectory: directory.path, clock: clock, stagedClaims: stagedClaims, parallelRead: parallelRead,
            readBatchRows: readBatchRows))
        defer { lastLoadWasStaged = loader.claimFilesStaged > 0 }
        return try loader.load(path: path, kind: kind)
    }
}

/// One eligibility span for a test extract.
public struct EligibilityRow: Sendable {
    public var member: String
    public var start: String
    public var end: String
    public var payer: String
    public var plan: String

    public init(member: String, start: String, end: String = "", payer: String = "ACME", plan: String = "PPO") {
        self.member = member
        self.start = start
        self.end = end
        self.payer = payer
        self.plan = plan
    }

    public static func csv(_ rows: [EligibilityRow]) -> String {
        "member_id,enrollment_start_date,enrollment_end_date,payer,plan\n"
            + rows.map { "\($0.member),\($0.start),\($0.end),\($0.payer),\($0.plan)\n" }.joined()
    }
}

/// One claim line for a test extract. Diagnoses are positions 1... of the claim.
public struct ClaimRow: Sendable {
    public var claim: String
    public var line: Int
    public var type: String
    public var member: String
    public var start: String
    public var lineStart: String
    public var hcpcs: String
    public var dx: [String]
    public var frequency: String
    public var revenue: String
    public var charge: String

    public init(claim: String, line: Int = 1, type: String = "professional", member: String, start: String,
                lineStart: String = "", hcpcs: String = "", dx: [String], frequency: String = "",
                revenue: String = "", charge: String = "") {
        self.claim = claim
        self.line = line
        self.type = type
        self.member = member
        self.start = start
        self.lineStart = lineStart
        self.hcpcs = hcpcs
        self.dx = dx
        self.frequency = frequency
        self.revenue = revenue
        self.charge = charge
    }

    /// The header and rows, with diagnosis_code_1 ... diagnosis_code_5.
    public static func csv(_ rows: [ClaimRow]) -> String {
        let header = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,claim_line_start_date,hcpcs_code,revenue_center_code,charge_amount,claim_frequency_code,"
            + (1...5).map { "diagnosis_code_\($0)" }.joined(separator: ",") + "\n"
        return header + rows.map { row in
            let dx = (0..<5).map { $0 < row.dx.count ? row.dx[$0] : "" }
            return ([row.claim, String(row.line), row.type, row.member, row.start, row.lineStart, row.hcpcs, row.revenue,
                     row.charge, row.frequency] + dx).joined(separator: ",") + "\n"
        }.joined()
    }
}
