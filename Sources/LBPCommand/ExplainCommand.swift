import ArgumentParser
import Foundation
import History
import Policy
import Reports

/// `lbp explain CLAIM_ID [LINE]`: why a line was decided as it was.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show why an imaging line was allowed or denied, with the evidence and its source files.",
        discussion: "Shows the stored decision; a line not decided yet is evaluated now (nothing is stored).")

    @Argument(help: "The claim id.") var claimID: String
    @Argument(help: "The line number (default: every imaging line of the claim).") var line: Int?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var policy: PolicyOptions

    @Flag(help: "Print the decisions as JSON.") var json = false

    func run() throws {
        try reportingErrors(database: database.path) {
            let db = try database.openForReading()
            let decisions = try db.readSnapshot { () throws -> [ExplainedDecision] in
                let store = DecisionStore(db)
                let reader = HistoryReader(db)
                let resolved = try policy.resolve(db)
                let evaluator = Evaluator(policy: resolved)
                var current: [Int: ImagingLine] = [:]
                try reader.forEachImagingLine(categories: resolved.settings.imagingValueSets, scope: LineScope(claimID: claimID)) {
                    current[$0.lineNumber] = $0
                }
                var found: [ExplainedDecision] = []
                for number in Set(try store.decidedLines(claimID: claimID)).union(current.keys).sorted() where line == nil || line == number {
                    if let decision = try store.current(claimID: claimID, lineNumber: number) {
                        found.append(ExplainedDecision(stored: true, decision: decision,
                                                       lineChangedSince: LineCurrency.note(decision, current: current[number])))
                    } else if let imaging = current[number] {
                        let days = evaluator.windows(serviceDays: imaging.serviceDay, imaging.serviceDay)
                        let history = try reader.memberHistory(imaging.memberID, windows: days)
                        found.append(ExplainedDecision(stored: false, decision: evaluator.decide(imaging, history: history),
                                                       lineChangedSince: nil))
                    }
                }
                return found
            }
            guard !decisions.isEmpty else {
                let what = database.verbose ? "claim \(claimID)\(line.map { " line \($0)" } ?? "")" : "that claim\(line == nil ? "" : " line")"
                throw UserFacingError(message: "\(what) is not an imaging line in the history (not loaded, voided, or not imaging)", exitCode: .failure)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(decisions), as: UTF8.self))
            } else {
                let lineage = try Lineage(db: db)
                print(decisions.map {
                    ExplanationText.render($0.decision, stored: $0.stored, lineage: lineage, changedSince: $0.lineChangedSince)
                }.joined(separator: "\n"), terminator: "")
            }
        }
    }
}

/// `explain --json`: a decision, whether it is the stored one, and whether its line changed since.
struct ExplainedDecision: Encodable {
    let stored: Bool
    let decision: Decision
    /// Set when the claim line is no longer the version decided.
    let lineChangedSince: String?
}
