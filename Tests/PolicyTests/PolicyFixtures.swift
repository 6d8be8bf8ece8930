import Foundation
import History
import Policy
import SQLiteDB
import TestSupport

/// One code of each value set the tests use (all ICD-10-CM codes without dots).
enum Code {
    /// LOW_BACK_PAIN: low back pain, unspecified.
    static let lbp = "M5450"
    /// CANCER: malignant neoplasm of the breast.
    static let cancer = "C50911"
    /// TRAUMA: fracture of the first lumbar vertebra, initial encounter.
    static let trauma = "S32000A"
    /// IV_DRUG_ABUSE.
    static let ivDrugAbuse = "F1120"
    /// NEUROLOGIC_IMPAIRMENT: cauda equina syndrome.
    static let neurologic = "G834"
    /// SPINAL_INFECTION: osteomyelitis of a lumbar vertebra.
    static let spinalInfection = "M4626"
    /// In no value set: essential hypertension.
    static let other = "I10"
    /// HIV (optional value set, stored by default but used by no default red flag).
    static let hiv = "B20"

    static let xray = "72100"
    static let ct = "72131"
    static let mri = "72148"
    /// An office visit: not an imaging line.
    static let officeVisit = "99213"
}

/// The default red flags, as (reason, one code of its value set), in policy order.
let defaultRedFlags: [(reason: String, code: String)] = [
    ("RED_FLAG_CANCER", Code.cancer),
    ("RED_FLAG_TRAUMA", Code.trauma),
    ("RED_FLAG_IV_DRUG_ABUSE", Code.ivDrugAbuse),
    ("RED_FLAG_NEUROLOGIC", Code.neurologic),
    ("RED_FLAG_SPINAL_INFECTION", Code.spinalInfection),
]

/// A calendar date from a literal `YYYY-MM-DD` (test literals only).
func day(_ iso: String) -> Day {
    guard let day = Day(iso: iso) else { preconditionFailure("bad test date \(iso)") }
    return day
}

/// A non-imaging claim (one office-visit line) dated `date` with diagnoses `dx` (position 1 is primary).
func visit(_ claim: String, member: String = "M1", on date: String, dx: [String], frequency: String = "") -> ClaimRow {
    ClaimRow(claim: claim, member: member, start: date, hcpcs: Code.officeVisit, dx: dx, frequency: frequency)
}

/// An imaging claim line; its line date defaults to empty (D = the claim's start date).
func imaging(_ claim: String, line: Int = 1, member: String = "M1", start: String, lineDate: String = "",
             hcpcs: String = Code.mri, dx: [String] = [Code.lbp], type: String = "professional",
             frequency: String = "", charge: String = "") -> ClaimRow {
    ClaimRow(claim: claim, line: line, type: type, member: member, start: start, lineStart: lineDate, hcpcs: hcpcs,
             dx: dx, frequency: frequency, charge: charge)
}

extension TestHistory {
    /// A history whose member is enrolled (one open span, plan PPO) from `start`.
    static func enrolled(_ member: String = "M1", from start: String = "2023-01-01") throws -> TestHistory {
        let history = try TestHistory()
        try history.loadEligibility([EligibilityRow(member: member, start: start)])
        return history
    }

    /// Decides every imaging line under `settings`.
    @discardableResult
    func decide(_ settings: PolicySettings = PolicySettings(), clock: History.Clock? = nil, full: Bool = false) throws -> DecideSummary {
        try DecideRun(db: db, policy: try ResolvedPolicy(settings: settings, db: db), clock: clock ?? self.clock).run(full: full)
    }

    /// The current decision of a line.
    func decision(_ claim: String, line: Int = 1) throws -> Decision? {
        try DecisionStore(db).current(claimID: claim, lineNumber: line)
    }

    /// The integer an SQL query returns (-1 when it returns nothing).
    func scalar(_ sql: String, _ values: [SQLiteValue] = []) throws -> Int {
        Int(try db.scalarInt(sql, values) ?? -1)
    }
}

extension DecideSummary.Change {
    /// `claim/line kind: previous outcome reason -> outcome reason` (`-` when withdrawn), for comparisons.
    var text: String {
        "\(claimID)/\(lineNumber) \(kind): \(previousOutcome) \(previousReason) -> \(outcome ?? "-") \(reason ?? "-")"
    }
}

extension DecideSummary.ReasonCount {
    /// `outcome reason count`.
    var text: String { "\(outcome) \(reason) \(count)" }
}
