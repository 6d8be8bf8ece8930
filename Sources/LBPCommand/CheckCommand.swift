import ArgumentParser
import Foundation
import History
import Ingest
import Policy
import Service

/// `lbp check FILE`: what the policy says about claims that are not stored yet.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the claims of a file (extract CSV or X12 837) against the stored history before payment; nothing is stored.",
        discussion: """
            Each claim is applied to its member's history as a load would apply it (the same claim id replaces \
            the stored version, frequency 8 voids it, its diagnoses count at its claim_start_date) and each \
            imaging line is decided as lbp decide would. A claim with a row a load would reject is reported \
            with the rule it breaks; the others are still checked. Exit 65 when any claim could not be checked. \
            --json prints, per claim, what the service's POST /v1/check answers (or {"error", "field", "line"}).
            """)

    @Argument(help: "A claims file: extract-layout CSV with a header line, or X12 837P/837I (plain or gzip).") var file: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var policy: PolicyOptions

    @Flag(help: "Print the results as JSON Lines, one claim a line.") var json = false

    func run() throws {
        try reportingErrors(database: database.path) {
            let rows = try ExtractRows.read(path: file)
            let db = try database.openForReading()
            let results = try db.readSnapshot { () throws -> [Result<CheckAnswer, CandidateProblem>] in
                let parsed = CandidateClaims.parseEach(rows: rows)
                // One check of every good claim (policy, lineage and ledger read once), answers put back in file order.
                var answers = try CheckEngine.check(parsed.compactMap { try? $0.get() }, db: db, policy: try policy.resolve(db))
                    .makeIterator()
                return parsed.map { $0.map { _ in answers.next()! } }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for result in results {
                switch result {
                case .success(let answer):
                    print(json ? String(decoding: try encoder.encode(answer), as: UTF8.self) : Self.text(answer))
                case .failure(let problem):
                    print(json ? String(decoding: try encoder.encode(ErrorBody(ServiceError(problem))), as: UTF8.self)
                        : "line \(problem.line): cannot check this claim: \(problem.message)")
                }
            }
            if results.contains(where: { if case .failure = $0 { true } else { false } }) { throw UserFacingError.dataError }
        }
    }

    /// One line per claim line: `claim C9 line 1: DENY LBP_IMAGING_WITHIN_28_DAYS (CO-50 N130)`.
    static func text(_ answer: CheckAnswer) -> String {
        if answer.isVoid { return "claim \(answer.claimID): a void (frequency 8): its stored version would be removed; nothing to decide" }
        return answer.lines.map { line in
            guard line.imaging, let decision = line.decision else {
                return "claim \(answer.claimID) line \(line.lineNumber): not an imaging line"
            }
            let codes = decision.denial.map { " (\($0.groupCode)-\($0.carc) \($0.rarc))" } ?? ""
            return "claim \(answer.claimID) line \(line.lineNumber): \(decision.outcome.rawValue) \(decision.reason)\(codes)"
        }.joined(separator: "\n")
    }
}
