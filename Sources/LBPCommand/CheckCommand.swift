import ArgumentParser
import Foundation
import History
import Ingest
import Policy
import Reports

/// `lbp check FILE`: what the policy says about claims that are not stored yet.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the claims of a file (extract CSV or X12 837) against the stored history before payment; nothing is stored.",
        discussion: """
            Each claim is applied to its member's history as a load would apply it (the same claim id replaces \
            the stored version, frequency 8 voids it, its diagnoses count at its claim_start_date) and each \
            imaging line is decided as lbp decide would. A claim with a row a load would reject is reported \
            with the rule it breaks; the others are still checked. Exit 65 when any claim could not be checked.
            """)

    @Argument(help: "A claims file: extract-layout CSV with a header line, or X12 837P/837I (plain or gzip).") var file: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var policy: PolicyOptions

    @Flag(help: "Print the results as JSON.") var json = false

    func run() throws {
        try reportingErrors(database: database.path) {
            let rows = try ExtractRows.read(path: file)
            let db = try database.openForReading()
            let results = try db.readSnapshot { () throws -> [CheckedClaim] in
                let checker = ClaimChecker(db: db, policy: try policy.resolve(db))
                return try CandidateClaims.parseEach(rows: rows).map { parsed in
                    switch parsed {
                    case .success(let claim): CheckedClaim(check: try checker.check(claim))
                    case .failure(let problem): CheckedClaim(problem: problem)
                    }
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(results), as: UTF8.self))
            } else {
                print(results.map(\.text).joined(separator: "\n"))
            }
            if results.contains(where: { $0.problem != nil }) { throw UserFacingError.dataError }
        }
    }
}

/// One claim's check, or why it could not be checked.
struct CheckedClaim: Encodable {
    struct Line: Encodable {
        let claimLineNumber: Int
        let imaging: Bool
        let outcome: String?
        let reason: String?
        let indexDate: Day?
        let windowEnd: Day?
        let redFlags: [String]
        let groupCode: String?
        let carc: String?
        let rarc: String?
        let rationale: String?
    }

    struct Problem: Encodable {
        let line: Int
        let field: String
        let error: String
    }

    let claimID: String?
    let isVoid: Bool
    let lines: [Line]
    let problem: Problem?

    init(check: ClaimCheck) {
        claimID = check.claimID
        isVoid = check.isVoid
        problem = nil
        lines = check.lines.map { line in
            let decision = line.decision
            return Line(claimLineNumber: line.lineNumber, imaging: line.isImaging, outcome: decision?.outcome.rawValue,
                        reason: decision?.reason, indexDate: decision?.indexDay, windowEnd: decision?.windowEndDay,
                        redFlags: decision?.redFlags ?? [], groupCode: decision?.denial?.groupCode,
                        carc: decision?.denial?.carc, rarc: decision?.denial?.rarc,
                        rationale: decision.map(ExplanationText.conclusion))
        }
    }

    init(problem: CandidateProblem) {
        claimID = nil
        isVoid = false
        lines = []
        self.problem = Problem(line: problem.line, field: problem.field, error: problem.message)
    }

    /// One line per claim line: `claim C9 line 1: DENY LBP_IMAGING_WITHIN_28_DAYS (CO-50 N130)`.
    var text: String {
        if let problem { return "line \(problem.line): cannot check this claim: \(problem.error)" }
        let id = claimID ?? ""
        if isVoid { return "claim \(id): a void (frequency 8): its stored version would be removed; nothing to decide" }
        return lines.map { line in
            guard line.imaging, let outcome = line.outcome, let reason = line.reason else {
                return "claim \(id) line \(line.claimLineNumber): not an imaging line"
            }
            let codes = line.carc.map { " (\(line.groupCode ?? "")-\($0) \(line.rarc ?? ""))" } ?? ""
            return "claim \(id) line \(line.claimLineNumber): \(outcome) \(reason)\(codes)"
        }.joined(separator: "\n")
    }
}
